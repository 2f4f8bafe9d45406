package intake

import (
	"context"
	"errors"
	"testing"
)

func TestOpenContact_AReturningCallersDifferingDetailsAreAskedAboutNeverChangedSilently(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	first := mustOpen(t, s, counsellingCaller())

	n := counsellingCaller()
	n.PersonID, n.Name, n.Phone = first.Person.ID, "Alex Morgen", "07700 900777"
	_, err := s.OpenContact(ctx, n)
	var differ *DetailsDiffer
	if !errors.As(err, &differ) || len(differ.Changes) != 2 ||
		differ.Changes[0] != (DetailChange{Field: "name", Stored: "Alex Morgan", Typed: "Alex Morgen"}) ||
		differ.Changes[1] != (DetailChange{Field: "phone", Stored: "+447700900123", Typed: "+447700900777"}) {
		t.Fatalf("err %v (%+v), want the name and phone differences", err, differ)
	}
	if p, _ := s.Person(ctx, first.Person.ID); p.Name != "Alex Morgan" || p.Phone != "+447700900123" {
		t.Fatalf("record changed before a choice: %+v", p)
	}
	if cs, _ := s.Contacts(ctx, first.Person.ID); len(cs) != 1 {
		t.Fatalf("%d contacts, want the refused one not recorded", len(cs))
	}

	// One choice is not enough.
	n.Keep = map[string]string{"name": KeepStored}
	if _, err := s.OpenContact(ctx, n); !errors.As(err, &differ) || len(differ.Changes) != 1 || differ.Changes[0].Field != "phone" {
		t.Fatalf("with one choice: %v, want the phone still asked", err)
	}
	n.Keep["phone"] = KeepNew
	o, err := s.OpenContact(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Person(ctx, first.Person.ID)
	if p.Name != "Alex Morgan" || p.Phone != "+447700900777" || o.Person.Name != "Alex Morgan" {
		t.Fatalf("record %+v, want the stored name and the new phone", p)
	}
	if len(o.Contact.Changed) != 1 || o.Contact.Changed[0] != (DetailChange{Field: "phone", Stored: "+447700900123", Typed: "+447700900777"}) {
		t.Fatalf("contact lists changes %+v, want the phone", o.Contact.Changed)
	}
	if found, _ := s.FindPerson(ctx, "Alex Morgan", "1985-04-02", "07700 900777", ""); len(found) != 1 {
		t.Fatalf("found %d by the kept name and the new phone, want 1", len(found))
	}
}

func TestOpenContact_AtRiskDifferingDetailsNeverHoldTheRecordUpAndAreListed(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	first := mustOpen(t, s, counsellingCaller())
	n := counsellingCaller()
	n.PersonID, n.Risk, n.Postcode, n.DateOfBirth = first.Person.ID, true, "LS1 4AP", "1985-04-03"
	o, err := s.OpenContact(ctx, n)
	if err != nil {
		t.Fatalf("at risk: %v, want the contact recorded", err)
	}
	if len(o.Contact.Changed) != 1 || o.Contact.Changed[0].Field != "date_of_birth" {
		t.Fatalf("changes %+v, want the date of birth listed", o.Contact.Changed)
	}
	if p, _ := s.Person(ctx, first.Person.ID); p.DateOfBirth != "1985-04-03" {
		t.Fatalf("date of birth %q, want the one given now", p.DateOfBirth)
	}
}

func TestOpenContact_ABlankOrNewlyGivenDetailIsNoDifference(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	first := mustOpen(t, s, counsellingCaller())
	n := counsellingCaller()
	n.PersonID, n.Email, n.Postcode = first.Person.ID, "alex@example.org", "LS1 4AP"
	o, err := s.OpenContact(ctx, n)
	if err != nil || len(o.Contact.Changed) != 0 {
		t.Fatalf("%v, changes %+v; want none asked about", err, o.Contact.Changed)
	}
}
