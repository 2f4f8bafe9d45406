package intake

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func count(t *testing.T, s *Store, coll string) int64 {
	t.Helper()
	n, err := s.coll(coll).CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPurge_DeletesPeopleAndContactsOlderThanTheRetentionPeriod(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 200, true)
	s.Retention = 20 * 365 * 24 * time.Hour

	old, _ := openAndClose(t, s, counsellingCaller()) // last in contact on monday
	clk.Advance(10 * 365 * 24 * time.Hour)
	kept := counsellingCaller()
	kept.Name, kept.Phone = "Jo Bloggs", "07700 900555"
	recent := mustOpen(t, s, kept)
	// The kept person's first contact will be older than the period while they are not.
	kept.PersonID = recent.Person.ID
	clk.Advance(10*365*24*time.Hour + time.Hour)
	latest := mustOpen(t, s, kept)

	res, err := s.Purge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.People != 1 || res.Contacts != 1 {
		t.Fatalf("purged %+v, want one person and their one contact", res)
	}
	if _, err := s.Person(ctx, old.Person.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old person: %v, want gone", err)
	}
	if found, _ := s.FindPerson(ctx, "Alex Morgan", "1985-04-02", "07700900123", ""); len(found) != 0 {
		t.Fatal("the purged person can still be found")
	}
	contacts, _ := s.Contacts(ctx, latest.Person.ID)
	if len(contacts) != 2 {
		t.Fatalf("kept person has %d contacts, want both (the first is within 20 years)", len(contacts))
	}
	if n := count(t, s, collPersonKeys); n != 1 {
		t.Fatalf("%d lookup keys, want 1", n)
	}
}

func TestExport_HoldsEverythingAboutThePerson(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	n := counsellingCaller()
	n.Email = "alex@example.org"
	o, _ := openAndClose(t, s, n)
	n.PersonID = o.Person.ID
	mustOpen(t, s, n)
	mustOpen(t, s, peerCallerFor(t, s, o.Person))

	raw, err := s.ExportJSON(ctx, o.Person.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Person   map[string]any   `json:"person"`
		Contacts []map[string]any `json:"contacts"`
		Queued   []map[string]any `json:"survey_texts_queued"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Person["name"] != "Alex Morgan" || got.Person["email"] != "alex@example.org" || got.Person["phone"] != "+447700900123" {
		t.Errorf("person %v", got.Person)
	}
	if len(got.Contacts) != 3 || len(got.Queued) != 1 || got.Queued[0]["phone"] != "+447700900123" {
		t.Fatalf("%d contacts and %d queued texts (%v), want 3 and 1 with the number", len(got.Contacts), len(got.Queued), got.Queued)
	}
	if !strings.Contains(string(raw), `"outcome": "listened; booked follow-up"`) {
		t.Error("export lacks the contact outcome")
	}
}

// peerCallerFor is a peer-support form for an existing person.
func peerCallerFor(t *testing.T, s *Store, p Person) NewContact {
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	n := peerCaller()
	n.PersonID, n.Name, n.DateOfBirth, n.Phone, n.Role = p.ID, p.Name, p.DateOfBirth, p.Phone, p.Role
	return n
}

func TestErase_RemovesThePersonTheirContactsAndQueuedTexts(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	o, _ := openAndClose(t, s, counsellingCaller())
	other := counsellingCaller()
	other.Name = "Someone Else"
	openAndClose(t, s, other)

	if err := s.Erase(ctx, o.Person.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Person(ctx, o.Person.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("person: %v", err)
	}
	if cs, _ := s.Contacts(ctx, o.Person.ID); len(cs) != 0 {
		t.Fatalf("%d contacts left", len(cs))
	}
	if _, ok := outboxEntry(t, s, o.Contact.ID); ok {
		t.Fatal("queued text left in the outbox")
	}
	if found, _ := s.FindPerson(ctx, "Alex Morgan", "1985-04-02", "07700900123", ""); len(found) != 0 {
		t.Fatal("erased person can still be found")
	}
	// Everyone else stays.
	if count(t, s, collPeople) != 1 || count(t, s, collContacts) != 1 || count(t, s, collOutbox) != 1 || count(t, s, collPersonKeys) != 1 {
		t.Fatal("erasing one person touched another's records")
	}
	if err := s.Erase(ctx, o.Person.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second erase: %v, want ErrNotFound", err)
	}
}

func TestEnsureIndexes_IsIdempotent(t *testing.T) {
	s, _ := newTestStore(t) // already ran once
	if err := s.EnsureIndexes(context.Background()); err != nil {
		t.Fatalf("second run: %v", err)
	}
}
