package intake

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store/storetest"
)

// TestScale_PurgeAndSubjectAccessAtAHundredThousandPeople runs only when
// FEEDBACK_SCALE_PEOPLE holds a number of people, e.g.
//
//	FEEDBACK_SCALE_PEOPLE=100000 go test ./intake/ -run Scale -v -timeout 2h
//
// It fills an embedded store with Demo (or uses the store in
// FEEDBACK_SCALE_DIR, as "feedback demo --people" left it), then times a
// search, a subject access export, an erasure and the retention purge
// (FEEDBACK_SCALE_PURGE=0: not the purge).
func TestScale_PurgeAndSubjectAccessAtAHundredThousandPeople(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FEEDBACK_SCALE_PEOPLE"))
	if n <= 0 {
		t.Skip("set FEEDBACK_SCALE_PEOPLE=100000 to run the scale test")
	}
	// A deadline of its own, as the purge's daily job has (30 min): without
	// one, each call is cut off at the client's 30 s, and a scan of 100,000
	// people takes longer than that on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	dir := os.Getenv("FEEDBACK_SCALE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	s := New(storetest.Open(t, dir).Database(Database), clocktest.Wall)
	var one Person
	middle := bson.D{{Key: "name", Value: fmt.Sprintf("Demo Person %06d", n/2)}}
	err := s.coll(collPeople).FindOne(ctx, middle).Decode(&one)
	if errors.Is(err, mongo.ErrNoDocuments) {
		start := time.Now()
		if _, err := s.Demo(ctx, DemoOptions{People: n, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		t.Logf("SCALE fill: %d people in %s", n, time.Since(start).Round(time.Second))
		err = s.coll(collPeople).FindOne(ctx, middle).Decode(&one)
	}
	if err != nil {
		t.Fatal(err)
	}
	timed(t, "FindPerson", func() error {
		found, err := s.FindPerson(ctx, one.Name, one.DateOfBirth, one.Phone, "")
		if err == nil && len(found) != 1 {
			t.Errorf("found %d", len(found))
		}
		return err
	})
	timed(t, "subject access export", func() error { _, err := s.ExportJSON(ctx, one.ID); return err })
	timed(t, "erase one person", func() error { return s.Erase(ctx, one.ID) })
	if os.Getenv("FEEDBACK_SCALE_PURGE") == "0" {
		return
	}
	s.Retention = 20 * 365 * 24 * time.Hour
	timed(t, "retention purge", func() error {
		start := time.Now()
		res, err := s.PurgeWithProgress(ctx, func(p Purged) {
			t.Logf("purged %d people, %d contacts, %s", p.People, p.Contacts, time.Since(start).Round(time.Second))
		})
		t.Logf("purged %+v", res)
		return err
	})
	timed(t, "retention purge again (nothing due)", func() error { _, err := s.Purge(ctx); return err })
}

func timed(t *testing.T, what string, f func() error) {
	t.Helper()
	start := time.Now()
	if err := f(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("SCALE %s: %s", what, time.Since(start).Round(time.Millisecond))
}
