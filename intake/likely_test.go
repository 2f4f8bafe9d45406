package intake

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSimilarNames(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"alex morgan", "alex morgan", true}, {"alex morgan", "Alexandra Morgan", true}, {"alex morgan", "alex morgon", true},
		{"alex morgan", "a. morgan", true}, {"o'neil sam", "oneil sam", true}, {"alex morgan", "sam patel", false},
		{"alex morgan", "ben morgan", false},
	} {
		if got := similarNames(nameKey(tc.a), nameKey(tc.b)); got != tc.want {
			t.Errorf("similarNames(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

// The caller: six sessions used, rings from a new number asking for
// the same counsellor. The new contact warns of the record, and attached to
// it, keeps the count (the seventh is refused) and the counsellor.
func TestOpenContact_ReturningCallerFromANewNumberIsWarnedAndAttached(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	first := addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	o := mustOpen(t, s, n)
	addPractitioner(t, s, "Dr Aardvark", Counsellor, 100, true) // more free places now
	clk.Advance(7 * 24 * time.Hour)

	again := counsellingCaller()
	again.Phone, again.Name, again.SameCounsellor = "07700 900999", "Alex Morgon", true
	_, err := s.OpenContact(ctx, again)
	var matches *PossibleMatches
	if !errors.As(err, &matches) || len(matches.People) != 1 || matches.People[0].ID != o.Person.ID {
		t.Fatalf("new number: %v, want the one likely match", err)
	}
	again.PersonID, again.Keep = o.Person.ID, map[string]string{"name": KeepNew, "phone": KeepNew}
	att := mustOpen(t, s, again)
	if att.Contact.Session != 2 || att.Contact.PractitionerID != first.ID || att.Person.Phone != "+447700900999" {
		t.Fatalf("attached: session %d to %s, phone %s", att.Contact.Session, att.Contact.PractitionerName, att.Person.Phone)
	}
	// Saying the caller is someone new makes a new record.
	other := counsellingCaller()
	other.NewPerson = true
	if o2 := mustOpen(t, s, other); o2.Person.ID == o.Person.ID || o2.Contact.Session != 1 {
		t.Errorf("new person: %+v", o2.Person)
	}
	// The corrected name moved the person in the birthday list.
	if found, _ := s.LikelyMatches(ctx, "Alex Morgon", n.DateOfBirth); len(found) != 2 {
		t.Errorf("likely matches after the corrections: %d, want 2", len(found))
	}
	var b birthday
	if err := s.findByID(ctx, collBirthdays, n.DateOfBirth, &b); err != nil || len(b.People) != 2 {
		t.Errorf("birthday list %+v, %v; want the old name's entry gone", b.People, err)
	}
}

func TestMerge_FoldsTwoRecordsOfOnePerson(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	a := mustOpen(t, s, counsellingCaller())
	clk.Advance(24 * time.Hour)
	n := counsellingCaller()
	n.Phone, n.NewPerson, n.Email = "07700 900999", true, "alex@example.org"
	b := mustOpen(t, s, n)
	clk.Advance(24 * time.Hour)
	n.PersonID = b.Person.ID
	mustOpen(t, s, n)
	if _, err := s.Merge(ctx, a.Person.ID, a.Person.ID); !errors.Is(err, ErrSamePerson) {
		t.Errorf("merge with itself: %v", err)
	}
	kept, err := s.Merge(ctx, a.Person.ID, b.Person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if kept.CounsellingSessions != 3 || kept.Email != "alex@example.org" || kept.Phone != "+447700900123" {
		t.Errorf("kept %+v", kept)
	}
	if cs, _ := s.Contacts(ctx, a.Person.ID); len(cs) != 3 {
		t.Errorf("%d contacts on the kept record, want 3", len(cs))
	}
	if _, err := s.Person(ctx, b.Person.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("merged record still there: %v", err)
	}
	if found, _ := s.LikelyMatches(ctx, "Alex Morgan", "1985-04-02"); len(found) != 1 {
		t.Errorf("likely matches after the merge: %d", len(found))
	}
}
