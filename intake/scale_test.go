package intake

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store/storetest"
)

// TestScale_PurgeAndSubjectAccessAtAHundredThousandPeople runs only when
// FEEDBACK_SCALE_PEOPLE holds a number of people, e.g.
//
//	FEEDBACK_SCALE_PEOPLE=100000 go test ./intake/ -run Scale -v -timeout 2h
//
// It fills an embedded store with Demo (or uses the store in
// FEEDBACK_SCALE_DIR, as "feedback demo --people" left it), then times a
// search, a subject access export, an erasure and the retention purge.
func TestScale_PurgeAndSubjectAccessAtAHundredThousandPeople(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FEEDBACK_SCALE_PEOPLE"))
	if n <= 0 {
		t.Skip("set FEEDBACK_SCALE_PEOPLE=100000 to run the scale test")
	}
	ctx := context.Background()
	dir := os.Getenv("FEEDBACK_SCALE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	s := New(storetest.Open(t, dir).Database(Database))
	var one Person
	err := s.coll(collPeople).FindOne(ctx, bson.D{}, options.FindOne().SetSkip(int64(n/2))).Decode(&one)
	if err != nil {
		start := time.Now()
		if _, err := s.Demo(ctx, DemoOptions{People: n, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		t.Logf("SCALE fill: %d people in %s", n, time.Since(start).Round(time.Second))
		if err := s.coll(collPeople).FindOne(ctx, bson.D{}, options.FindOne().SetSkip(int64(n/2))).Decode(&one); err != nil {
			t.Fatal(err)
		}
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
