package intake

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOpenContact_AtRiskWithoutAPostcodeIsOpenedIncompleteOrWithItRefused(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	n := counsellingCaller()
	n.Risk = true
	o := mustOpen(t, s, n)
	if !o.Contact.Incomplete() || len(o.Contact.Missing) != 1 || o.Contact.Missing[0] != (MissingDetail{Field: "postcode", Why: DetailUnknown}) {
		t.Fatalf("at risk, no postcode: %+v, want opened with the postcode unknown", o.Contact.Missing)
	}
	for _, tc := range []struct{ postcode, missing, want string }{
		{"", "refused", "refused"}, {"Unknown", "", "unknown"}, {"refused", "", "refused"},
	} {
		n.Postcode, n.PostcodeMissing = tc.postcode, tc.missing
		o := mustOpen(t, s, n)
		if o.Contact.PostcodeMissing != tc.want || !o.Contact.Risk || o.Person.Postcode != "" || o.Contact.PractitionerID == "" {
			t.Errorf("postcode %q/%q: contact %+v, person postcode %q", tc.postcode, tc.missing, o.Contact, o.Person.Postcode)
		}
	}
}

func TestOpenContact_RefusedCallerAtRiskIsRecordedRoutedToNoOne(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	n := counsellingCaller()
	n.DateOfBirth, n.Risk, n.PostcodeMissing = monday.AddDate(-16, 0, 1).Format(time.DateOnly), true, "unknown" // 15, 16 tomorrow
	o, err := s.OpenContact(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if o.Contact.Refusal == nil || o.Contact.Refusal.Rule != RuleMinimumAge || o.Contact.PractitionerID != "" || o.Contact.Session != 0 {
		t.Fatalf("refused at risk: %+v", o.Contact)
	}
	got, err := s.Contact(ctx, o.Contact.ID)
	if err != nil || got.Refusal == nil || !got.Risk {
		t.Fatalf("stored %+v, %v", got, err)
	}
	// Not at risk, the same caller is refused and nothing is kept.
	n.Risk, n.Name = false, "Somebody Else"
	if _, err := s.OpenContact(ctx, n); !errors.As(err, new(*Refusal)) {
		t.Fatalf("refused, not at risk: %v", err)
	}
	// Closed, no text goes to them, whatever they agreed.
	if _, err := s.ResolveRisk(ctx, o.Contact.ID); err != nil {
		t.Fatal(err)
	}
	c, err := s.Close(ctx, o.Contact.ID, Closing{Outcome: "Childline number given"})
	if err != nil || c.SurveyText != TextRefused {
		t.Fatalf("closed: %v %v, want no text (refused)", c.SurveyText, err)
	}
}

func TestOpenContact_SeventhSessionAtRiskIsRecordedWithoutASession(t *testing.T) {
	s, c := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	for range MaxCounsellingSessions {
		o := mustOpen(t, s, n)
		n.PersonID = o.Person.ID
		c.Advance(7 * 24 * time.Hour)
	}
	n.Risk, n.PostcodeMissing = true, "refused"
	o, err := s.OpenContact(ctx, n)
	if err != nil || o.Contact.Refusal == nil || o.Contact.Refusal.Rule != RuleSessionLimit || o.Contact.Session != 0 {
		t.Fatalf("seventh at risk: %+v, %v", o.Contact, err)
	}
	if p, _ := s.Person(ctx, n.PersonID); p.CounsellingSessions != MaxCounsellingSessions {
		t.Errorf("sessions %d, want still %d", p.CounsellingSessions, MaxCounsellingSessions)
	}
}

func TestClose_NoTextAfterAnEmergencyOrWhileARiskFlagIsOpen(t *testing.T) {
	s, c := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	sender := &recordingSender{}
	outbox := newTestOutbox(t, s, sender, nil)
	n := counsellingCaller()
	n.Risk, n.PostcodeMissing = true, "refused"

	var flagged []string
	o := mustOpen(t, s, n)
	flagged = append(flagged, o.Contact.ID)
	closed, err := s.Close(ctx, o.Contact.ID, Closing{Outcome: "999 called; ambulance dispatched"})
	if err != nil || closed.SurveyText != TextEmergency || !closed.Emergency {
		t.Fatalf("emergency outcome: %+v, %v", closed, err)
	}
	n.PersonID = o.Person.ID
	c.Advance(40 * 24 * time.Hour)
	o = mustOpen(t, s, n)
	flagged = append(flagged, o.Contact.ID)
	if closed, _ = s.Close(ctx, o.Contact.ID, Closing{Outcome: "Talked it through", Emergency: true}); closed.SurveyText != TextEmergency {
		t.Errorf("emergency ticked: %v", closed.SurveyText)
	}
	c.Advance(40 * 24 * time.Hour)
	o = mustOpen(t, s, n)
	flagged = append(flagged, o.Contact.ID)
	if closed, _ = s.Close(ctx, o.Contact.ID, Closing{Outcome: "Talked it through"}); closed.SurveyText != TextRiskOpen {
		t.Errorf("risk open: %v", closed.SurveyText)
	}
	// A later contact without risk, while the earlier flag is open: still no text.
	c.Advance(40 * 24 * time.Hour)
	n.Risk = false
	later := mustOpen(t, s, n)
	if closed, _ = s.Close(ctx, later.Contact.ID, Closing{Outcome: "Session booked"}); closed.SurveyText != TextRiskOpen {
		t.Errorf("earlier flag open: %v", closed.SurveyText)
	}
	// A flag stays open after its contact closes, until the risk is recorded
	// as passed; once every flag is resolved, the next contact's text is sent.
	for _, id := range flagged {
		if _, err := s.ResolveRisk(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(time.Hour)
	next := mustOpen(t, s, n)
	if closed, _ = s.Close(ctx, next.Contact.ID, Closing{Outcome: "Session booked"}); closed.SurveyText != TextQueued {
		t.Fatalf("after resolving: %v", closed.SurveyText)
	}
	if res, err := outbox.ProcessDue(ctx); err != nil || res.Sent != 1 || len(sender.sent) != 1 {
		t.Fatalf("outbox: %+v %v", res, err)
	}
}

func TestOutbox_SuppressesATextWhenARiskFlagOpensAfterClosing(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	sender := &recordingSender{}
	outbox := newTestOutbox(t, s, sender, nil)
	n := counsellingCaller()
	o := mustOpen(t, s, n)
	if c, _ := s.Close(ctx, o.Contact.ID, Closing{Outcome: "Booked"}); c.SurveyText != TextQueued {
		t.Fatalf("queued: %v", c.SurveyText)
	}
	n.PersonID = o.Person.ID
	again := mustOpen(t, s, n)
	if _, err := s.FlagRisk(ctx, again.Contact.ID); err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(ctx); err != nil || res.Suppressed != 1 || len(sender.sent) != 0 {
		t.Fatalf("outbox with a risk flag open: %+v %v, sent %d", res, err, len(sender.sent))
	}
}
