package intake

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkFindPerson finds one person among 10,000 (INTAKE_BENCH_PEOPLE to
// change) on the embedded store, which scans for every query. "by-key" is
// FindPerson (lookup key by _id, then each candidate by _id); "filter" is the
// plain filter on name and date of birth it replaces, for comparison.
func BenchmarkFindPerson(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("INTAKE_BENCH_PEOPLE")); err == nil && v > 0 {
		n = v
	}
	s, _ := newTestStore(b)
	ctx := context.Background()
	seedPeople(b, s, n)
	target := n / 2
	name, dob, phone := benchName(target), "1980-01-01", benchPhone(target)

	b.Run(fmt.Sprintf("by-key/people=%d", n), func(b *testing.B) {
		for b.Loop() {
			found, err := s.FindPerson(ctx, name, dob, phone, "")
			if err != nil || len(found) != 1 {
				b.Fatalf("found %d, err %v", len(found), err)
			}
		}
	})
	b.Run(fmt.Sprintf("filter/people=%d", n), func(b *testing.B) {
		for b.Loop() {
			cur, err := s.coll(collPeople).Find(ctx, bson.D{{Key: "name", Value: name}, {Key: "date_of_birth", Value: dob}, {Key: "phone", Value: phone}})
			if err != nil {
				b.Fatal(err)
			}
			var ps []Person
			if err := cur.All(ctx, &ps); err != nil || len(ps) != 1 {
				b.Fatalf("found %d, err %v", len(ps), err)
			}
		}
	})
}

func benchName(i int) string  { return fmt.Sprintf("Person %06d", i) }
func benchPhone(i int) string { return fmt.Sprintf("+4477009%05d", i) }

// seedPeople inserts n people and their lookup keys in batches.
func seedPeople(b *testing.B, s *Store, n int) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		var people, keys []any
		for i := lo; i < min(lo+batch, n); i++ {
			p := Person{ID: newID(), Name: benchName(i), DateOfBirth: "1980-01-01", Role: Doctor, Phone: benchPhone(i),
				Email: fmt.Sprintf("p%d@example.org", i), Postcode: "LS1 4AP", Organisation: "Leeds Teaching Hospitals",
				CounsellingSessions: 2, CreatedAt: monday, LastContactAt: monday}
			people = append(people, p)
			keys = append(keys, personKey{ID: lookupKey(p.Name, p.DateOfBirth), PersonIDs: []string{p.ID}})
		}
		if _, err := s.coll(collPeople).InsertMany(ctx, people); err != nil {
			b.Fatal(err)
		}
		if _, err := s.coll(collPersonKeys).InsertMany(ctx, keys); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d people in %v", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkLikelyMatches finds the likely records of a caller (same date of
// birth, similar name, any phone) among n people (INTAKE_BENCH_PEOPLE) born
// over 40 years: it reads one birthday list by _id, then each candidate.
func BenchmarkLikelyMatches(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("INTAKE_BENCH_PEOPLE")); err == nil && v > 0 {
		n = v
	}
	s, _ := newTestStore(b)
	ctx := context.Background()
	born := func(i int) string { return time.Date(1960, 1, 1+i%14_600, 0, 0, 0, 0, time.UTC).Format(time.DateOnly) }
	lists := map[string][]birthdayEntry{}
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		var people []any
		for i := lo; i < min(lo+batch, n); i++ {
			p := Person{ID: newID(), Name: letterName(i), DateOfBirth: born(i), Role: Doctor, Phone: benchPhone(i), CreatedAt: monday, LastContactAt: monday}
			people = append(people, p)
			lists[p.DateOfBirth] = append(lists[p.DateOfBirth], birthdayEntry{PersonID: p.ID, Name: nameKey(p.Name)})
		}
		if _, err := s.coll(collPeople).InsertMany(ctx, people); err != nil {
			b.Fatal(err)
		}
	}
	var docs []any
	for dob, entries := range lists {
		docs = append(docs, birthday{ID: dob, People: entries})
	}
	if _, err := s.coll(collBirthdays).InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	target := n / 2
	b.Run(fmt.Sprintf("birthday-list/people=%d", n), func(b *testing.B) {
		for b.Loop() {
			var l birthday
			if err := s.findByID(ctx, collBirthdays, born(target), &l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
		for b.Loop() {
			found, err := s.LikelyMatches(ctx, letterName(target)+"e", born(target))
			if err != nil || len(found) < 1 {
				b.Fatalf("found %d, err %v", len(found), err)
			}
		}
	})
}

// letterName is a name of letters only, different for each i ("Sam Bcdf"):
// names are compared by their letters.
func letterName(i int) string {
	surname := []byte{}
	for i++; i > 0; i /= 26 {
		surname = append(surname, byte('a'+i%26))
	}
	return "Sam " + strings.ToUpper(string(surname[:1])) + string(surname[1:])
}
