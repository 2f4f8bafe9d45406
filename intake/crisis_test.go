package intake

import (
	"context"
	"errors"
	"testing"

	"github.com/feedback-service/feedback/field"
)

// A caller at immediate risk is recorded with the risk answer alone: no
// service, channel, role, name, date of birth or number. The contact is routed
// to no one, counts no session and no capacity, and is listed as incomplete.
func TestOpenContact_AtRiskWithNothingKnownIsRecordedIncompleteAndRoutedToNoOne(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	counsellor := addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	o := mustOpen(t, s, NewContact{Risk: true})
	c := o.Contact
	if !c.Risk || c.PractitionerID != "" || c.Session != 0 || c.RoutingReason != UnroutedCrisis || !c.Incomplete() {
		t.Fatalf("contact %+v", c)
	}
	want := []string{"service", "channel", "role", "name", "date_of_birth", "phone", "postcode"}
	if len(c.Missing) != len(want) {
		t.Fatalf("missing %+v, want %v", c.Missing, want)
	}
	for i, f := range want {
		if c.Missing[i].Field != f || c.Missing[i].Why != DetailUnknown {
			t.Errorf("missing[%d] = %+v, want %s unknown", i, c.Missing[i], f)
		}
	}
	if o.Person.CounsellingSessions != 0 {
		t.Errorf("sessions %d", o.Person.CounsellingSessions)
	}
	if p, _ := s.Practitioner(ctx, counsellor.ID); p.Routed != 0 {
		t.Errorf("capacity used: %d", p.Routed)
	}
	listed, err := s.IncompleteContacts(ctx)
	if err != nil || len(listed) != 1 || listed[0].ID != c.ID {
		t.Fatalf("incomplete list %v (%v)", listed, err)
	}
}

// At risk, a detail the caller refused is an answer, and a value typed in a
// form it does not fit is kept to correct later: neither blocks the record.
func TestOpenContact_AtRiskRefusedAndMistypedDetailsBlockNothing(t *testing.T) {
	s, _ := newTestStore(t)
	n := NewContact{Risk: true, Service: CrisisOnly, Channel: Phone, Role: Doctor, Name: "Robin Ash",
		DOBDay: "31", DOBMonth: "2", DOBYear: "1980", Phone: "not a number", PostcodeMissing: DetailRefused, Refused: []string{"name"}}
	o := mustOpen(t, s, n)
	got := map[string]MissingDetail{}
	for _, m := range o.Contact.Missing {
		got[m.Field] = m
	}
	if !o.Contact.Crisis || got["service"].Field != "" || got["name"].Field != "" {
		t.Errorf("crisis only, name given: missing %+v", o.Contact.Missing)
	}
	if got["date_of_birth"].Given != "31/2/1980" || got["phone"].Given != "not a number" || got["postcode"].Why != DetailRefused {
		t.Errorf("missing %+v", o.Contact.Missing)
	}
	if o.Person.Name != "Robin Ash" || o.Person.DateOfBirth != "" || o.Person.Phone != "" {
		t.Errorf("person %+v", o.Person)
	}
}

// A caller at risk whose service and its details are all known is routed as
// before; one whose service is chosen but whose details are not is not.
func TestOpenContact_AtRiskIsRoutedOnlyWhenTheServiceAndItsDetailsAreKnown(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	n := counsellingCaller()
	n.Risk, n.PostcodeMissing = true, DetailRefused
	if o := mustOpen(t, s, n); o.Contact.PractitionerID == "" || o.Contact.Session != 1 || o.Contact.Incomplete() {
		t.Errorf("complete: %+v", o.Contact)
	}
	n = counsellingCaller()
	n.Risk, n.Name, n.Organisation = true, "Jo Bloggs", ""
	if o := mustOpen(t, s, n); o.Contact.PractitionerID != "" || o.Contact.Session != 0 || o.Contact.RoutingReason != UnroutedDetails {
		t.Errorf("organisation unknown: %+v", o.Contact)
	}
}

// With no one active, a caller at risk is still recorded; one not at risk is not.
func TestOpenContact_AtRiskWithNoOneActiveIsRecordedAllTheSame(t *testing.T) {
	s, _ := newTestStore(t)
	n := counsellingCaller()
	if _, err := s.OpenContact(context.Background(), n); !errors.Is(err, ErrNoPractitioner) {
		t.Fatalf("not at risk: %v", err)
	}
	n.Risk, n.Postcode = true, "LS1 4AP"
	o := mustOpen(t, s, n)
	if o.Contact.PractitionerID != "" || o.Contact.RoutingReason == "" || o.Contact.Session != 0 {
		t.Errorf("contact %+v", o.Contact)
	}
}

// Completing a contact's details later: each is checked, a ticked one is
// refused, and the contact leaves the incomplete list once nothing is unknown;
// with a name and date of birth the person can be found again.
func TestCompleteDetails_ChecksEachDetailAndTakesTheContactOffTheList(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	o := mustOpen(t, s, NewContact{Risk: true})
	_, err := s.CompleteDetails(ctx, o.Contact.ID, Details{Phone: "12", DOBDay: "1", DOBMonth: "13", DOBYear: "1990"})
	var problems field.Errors
	if !errors.As(err, &problems) || problems.For("phone") == "" || problems.For("date_of_birth") == "" {
		t.Fatalf("bad details: %v", err)
	}
	c, err := s.CompleteDetails(ctx, o.Contact.ID, Details{Service: CrisisOnly, Channel: "phone", Role: "doctor", Name: "Robin Ash",
		DOBDay: "2", DOBMonth: "4", DOBYear: "1985", Phone: "07700 900111"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Incomplete() || len(c.Missing) != 1 || c.Missing[0].Field != "postcode" {
		t.Fatalf("after the first details: %+v", c.Missing)
	}
	if c, err = s.CompleteDetails(ctx, o.Contact.ID, Details{Refused: []string{"postcode"}}); err != nil || c.Incomplete() {
		t.Fatalf("postcode refused: %+v (%v)", c.Missing, err)
	}
	if listed, _ := s.IncompleteContacts(ctx); len(listed) != 0 {
		t.Errorf("still listed: %v", listed)
	}
	found, err := s.FindPerson(ctx, "robin ash", "1985-04-02", "07700900111", "")
	if err != nil || len(found) != 1 || found[0].ID != o.Person.ID || found[0].Role != Doctor {
		t.Errorf("found %+v (%v)", found, err)
	}
}

// A crisis contact has no survey: closing it queues nothing.
func TestClose_ACrisisContactQueuesNoSurveyText(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	n := NewContact{Risk: true, Service: CrisisOnly, Phone: "07700 900111", FeedbackAgreed: true}
	o := mustOpen(t, s, n)
	if _, err := s.ResolveRisk(ctx, o.Contact.ID); err != nil {
		t.Fatal(err)
	}
	c, err := s.Close(ctx, o.Contact.ID, Closing{Outcome: "Talked it through"})
	if err != nil || c.SurveyText != TextNoService {
		t.Errorf("closed %v (%v)", c.SurveyText, err)
	}
}
