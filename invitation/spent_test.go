package invitation

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

func newTestStore(t testing.TB) (*Store, *Codes, *clocktest.Clock, *store.Store) {
	t.Helper()
	c, clock := newTestCodes(t)
	st := storetest.New(t)
	return NewStore(st.Database(Database), c), c, clock, st
}

// spentMarks returns every document in every collection of the database.
func spentMarks(t *testing.T, s *Store) map[string][]bson.M {
	t.Helper()
	ctx := context.Background()
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]bson.M{}
	for _, name := range names {
		cur, err := s.db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		out[name] = docs
	}
	return out
}

func TestSpend_AcceptsACodeOnceAndStoresOnlyAKeyedHash(t *testing.T) {
	s, c, _, _ := newTestStore(t)
	ctx := context.Background()
	code := mint(t, c, "peer-support")
	inv, err := s.Spend(ctx, code)
	if err != nil || inv.Service != "peer-support" {
		t.Fatalf("first Spend = %+v, %v", inv, err)
	}
	if _, err := s.Spend(ctx, code); !errors.Is(err, ErrUsed) {
		t.Fatalf("second Spend: %v, want ErrUsed", err)
	}
	marks := spentMarks(t, s)
	name := inv.Expires.Format("invitations_spent_2006_01") // the month the code expires in
	docs := marks[name]
	if len(marks) != 1 || len(docs) != 1 || len(docs[0]) != 1 {
		t.Fatalf("spent marks %v, want one document with only an _id in %s", marks, name)
	}
	id, _ := docs[0]["_id"].(string)
	if id == "" || id == code || len(id) != 22 {
		t.Fatalf("spent mark _id %q: want a 128-bit keyed hash, not the code", id)
	}
}

func TestSpend_RefusesBadCodesAndStoresNothing(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	ctx := context.Background()
	expired := mint(t, c, "counselling")
	clock.Set(clock.Now().Add(15 * 24 * time.Hour))
	good := mint(t, c, "counselling")
	altered := []byte(good)
	altered[5] ^= 1
	for name, tc := range map[string]struct {
		code, service string
		want          error
	}{
		"expired":       {expired, "", ErrExpired},
		"altered":       {string(altered), "", ErrInvalid},
		"truncated":     {good[:12], "", ErrInvalid},
		"other service": {good, "peer-support", ErrInvalid},
	} {
		var err error
		if tc.service == "" {
			_, err = s.Spend(ctx, tc.code)
		} else {
			_, err = s.SpendFor(ctx, tc.service, tc.code)
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if marks := spentMarks(t, s); len(marks) != 0 {
		t.Fatalf("refused codes left marks: %v", marks)
	}
	if _, err := s.SpendFor(ctx, "counselling", good); err != nil {
		t.Fatalf("the good code after the refusals: %v", err)
	}
}

// Two instances sharing a store, each with its own client, race to spend the
// same codes: each code is accepted exactly once.
func TestSpend_AcceptsACodeExactlyOnceAcrossConcurrentClients(t *testing.T) {
	s1, c, _, st := newTestStore(t)
	ctx := context.Background()
	other, err := store.Open(ctx, store.Config{URI: st.URI}) // a second instance's own client
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close(ctx) })
	s2 := NewStore(other.Database(Database), c)
	codes := make([]string, 20)
	for i := range codes {
		codes[i] = mint(t, c, "counselling")
	}
	var mu sync.Mutex
	accepted := map[string]int{}
	var wg sync.WaitGroup
	for _, s := range []*Store{s1, s2, s1, s2} {
		wg.Go(func() {
			for _, code := range codes {
				_, err := s.Spend(ctx, code)
				switch {
				case err == nil:
					mu.Lock()
					accepted[code]++
					mu.Unlock()
				case !errors.Is(err, ErrUsed):
					t.Errorf("Spend: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for _, code := range codes {
		if accepted[code] != 1 {
			t.Errorf("code accepted %d times, want once", accepted[code])
		}
	}
}

func TestPurge_DropsAMonthOnceAllItsCodesHaveExpired(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	ctx := context.Background()
	clock.Set(at(2026, 11, 10, 12, 0)) // codes expire 24 November
	nov := mint(t, c, "counselling")
	clock.Set(at(2026, 11, 20, 12, 0)) // expire 4 December
	dec := mint(t, c, "counselling")
	for _, code := range []string{nov, dec} {
		if _, err := s.Spend(ctx, code); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		at   time.Time
		want []string
	}{
		{at(2026, 12, 1, 12, 0), nil}, // the day's grace
		{at(2026, 12, 2, 0, 0), []string{month(2026, 11, "invitations_spent_2006_01")}},
		{at(2026, 12, 31, 0, 0), nil},
	} {
		clock.Set(tc.at)
		dropped, err := s.Purge(ctx)
		if err != nil || !slices.Equal(dropped, tc.want) {
			t.Errorf("Purge at %v = %v, %v; want %v", tc.at, dropped, err, tc.want)
		}
	}
	clock.Set(at(2026, 12, 2, 0, 0))
	if _, err := s.Spend(ctx, dec); !errors.Is(err, ErrUsed) {
		t.Fatalf("a December code after November was purged: %v, want ErrUsed", err)
	}
}
