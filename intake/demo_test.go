package intake

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestPurge_ErasesDemoPeopleInBatchesAndKeepsEveryIndexExact fills the store
// with Demo (last contacts over 22 years) and two namesakes sharing a lookup
// key and birthday list, one past the period and one not; the batched purge
// must leave exactly the people within the period, each still findable.
func TestPurge_ErasesDemoPeopleInBatchesAndKeepsEveryIndexExact(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 200, true)
	s.Retention = 20 * 365 * 24 * time.Hour
	old := mustOpen(t, s, counsellingCaller())
	clk.Advance(21 * 365 * 24 * time.Hour)
	namesake := counsellingCaller()
	namesake.Phone, namesake.NewPerson = "07700 900999", true
	kept := mustOpen(t, s, namesake)
	rep, err := s.Demo(ctx, DemoOptions{People: 60, Seed: 7})
	if err != nil || rep.People != 60 || rep.Contacts < 60 {
		t.Fatalf("demo: %+v, %v", rep, err)
	}

	defer func(n int) { purgeBatch = n }(purgeBatch)
	purgeBatch = 4 // several rounds, the last one short
	res, err := s.Purge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var left []Person
	cur, _ := s.coll(collPeople).Find(ctx, bson.D{})
	if err := cur.All(ctx, &left); err != nil {
		t.Fatal(err)
	}
	if res.People == 0 || res.People+len(left) != 62 {
		t.Fatalf("purged %d, %d left, want 62 in all and some purged", res.People, len(left))
	}
	cutoff := s.now().Add(-s.Retention)
	for _, p := range left {
		if p.LastContactAt.Before(cutoff) {
			t.Fatalf("%s was last in contact %v, past the period, and is kept", p.Name, p.LastContactAt)
		}
		if found, _ := s.FindPerson(ctx, p.Name, p.DateOfBirth, p.Phone, ""); len(found) != 1 {
			t.Fatalf("kept person %s found %d times", p.Name, len(found))
		}
	}
	if n := count(t, s, collPersonKeys); n != int64(len(left)) {
		t.Fatalf("%d lookup keys for %d people", n, len(left))
	}
	var lists []birthday
	cur, _ = s.coll(collBirthdays).Find(ctx, bson.D{})
	if err := cur.All(ctx, &lists); err != nil {
		t.Fatal(err)
	}
	entries := 0
	for _, l := range lists {
		entries += len(l.People)
	}
	if entries != len(left) {
		t.Fatalf("%d birthday entries for %d people", entries, len(left))
	}
	if _, err := s.Person(ctx, old.Person.ID); err == nil {
		t.Fatal("the old namesake is kept")
	}
	if _, err := s.Person(ctx, kept.Person.ID); err != nil {
		t.Fatalf("the recent namesake: %v", err)
	}
	var orphans int64
	for _, coll := range []string{collContacts, collOutbox} {
		n, _ := s.coll(coll).CountDocuments(ctx, bson.D{{Key: "person_id", Value: bson.D{{Key: "$nin", Value: ids(left)}}}})
		orphans += n
	}
	if orphans != 0 {
		t.Fatalf("%d contacts or texts of purged people left", orphans)
	}
}

func ids(people []Person) bson.A {
	a := bson.A{}
	for _, p := range people {
		a = append(a, p.ID)
	}
	return a
}
