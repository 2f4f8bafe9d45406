package intake

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/field"
)

func TestOpenContact_RecordsPersonAndContact(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	c := addPractitioner(t, s, "Dr Ada Lovelace", Counsellor, 10, true)
	n := counsellingCaller()
	n.Email = " Alex@Example.org "
	o := mustOpen(t, s, n)

	if o.Person.Phone != "+447700900123" || o.Person.Email != "alex@example.org" {
		t.Errorf("person phone %q email %q, want them normalised", o.Person.Phone, o.Person.Email)
	}
	got, err := s.Contact(ctx, o.Contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Service != Counselling || got.Channel != Phone || got.PractitionerID != c.ID || got.PractitionerName != c.Name ||
		got.Session != 1 || !got.FeedbackAgreed || got.Risk || got.PersonID != o.Person.ID || !got.OpenedAt.Equal(monday) {
		t.Errorf("stored contact %+v does not match what was opened", got)
	}
}

func TestOpenContact_RefusesIneligibleCallerNamingTheRule(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	n := counsellingCaller()
	n.Role, n.DateOfBirth = Dependant, monday.AddDate(-25, 0, -1).Format(time.DateOnly) // 25 since yesterday
	_, err := s.OpenContact(context.Background(), n)
	var r *Refusal
	if !errors.As(err, &r) || r.Rule != RuleDependantAge {
		t.Fatalf("err %v, want a refusal naming the dependant age rule", err)
	}
}

func TestOpenContact_MarksEachMissingField(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*NewContact)
		fields []string
	}{
		{"counselling needs a phone or e-mail", func(n *NewContact) { n.Phone = "" }, []string{"phone"}},
		{"counselling by e-mail alone is fine", func(n *NewContact) { n.Phone, n.Email = "", "a@example.org" }, nil},
		{"counselling needs an organisation", func(n *NewContact) { n.Organisation = "" }, []string{"organisation"}},
		{"immediate risk refuses nothing (the postcode is then missing)", func(n *NewContact) { *n = NewContact{Risk: true} }, nil},
		{"a postcode must be a postcode", func(n *NewContact) { n.Postcode = "nowhere" }, []string{"postcode"}},
		{"a phone number must be a number", func(n *NewContact) { n.Phone = "call me" }, []string{"phone"}},
		{"date of birth as YYYY-MM-DD", func(n *NewContact) { n.DateOfBirth = "02/04/1985" }, []string{"date_of_birth"}},
		{"name and channel", func(n *NewContact) { n.Name, n.Channel = "", "fax" }, []string{"channel", "name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := counsellingCaller()
			tt.edit(&n)
			_, _, err := n.check(monday.Format(time.DateOnly))
			var inv field.Errors
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("err %v, want none", err)
				}
				return
			}
			if !errors.As(err, &inv) {
				t.Fatalf("err %v, want field errors", err)
			}
			var got []string
			for _, f := range inv {
				got = append(got, f.Field)
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
	n := peerCaller()
	n.Phone, n.Address, n.JobRole = "", "", ""
	_, _, err := n.check(monday.Format(time.DateOnly))
	var inv field.Errors
	if !errors.As(err, &inv) || len(inv) != 3 {
		t.Fatalf("peer support without number, address and job role: %v, want three field errors", err)
	}
}

func TestOpenContact_RiskFlagIsRecordedWithThePostcode(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	n := counsellingCaller()
	n.Risk, n.Postcode = true, "sw1a1aa"
	o := mustOpen(t, s, n)
	got, err := s.Contact(context.Background(), o.Contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Risk || got.RiskFlaggedAt == nil || !got.RiskFlaggedAt.Equal(monday) {
		t.Errorf("risk %v at %v, want flagged at %v", got.Risk, got.RiskFlaggedAt, monday)
	}
	if o.Person.Postcode != "SW1A 1AA" {
		t.Errorf("postcode %q, want SW1A 1AA", o.Person.Postcode)
	}
}

func TestOpenContact_SeventhCounsellingSessionIsRefusedWithSignpost(t *testing.T) {
	s, c := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	for want := 1; want <= MaxCounsellingSessions; want++ {
		o := mustOpen(t, s, n)
		if o.Contact.Session != want {
			t.Fatalf("session %d, want %d", o.Contact.Session, want)
		}
		n.PersonID = o.Person.ID
		c.Advance(7 * 24 * time.Hour)
	}
	_, err := s.OpenContact(ctx, n)
	var r *Refusal
	if !errors.As(err, &r) || r.Rule != RuleSessionLimit || r.Signpost == "" || !strings.Contains(r.Reason, "6") {
		t.Fatalf("seventh session: err %v, want the session-limit refusal with a signpost", err)
	}
	contacts, _ := s.Contacts(ctx, n.PersonID)
	if len(contacts) != 6 {
		t.Fatalf("%d contacts recorded, want 6", len(contacts))
	}
	// Peer support is still open to them.
	p := peerCaller()
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 5, true)
	p.PersonID, p.Name, p.DateOfBirth = n.PersonID, n.Name, n.DateOfBirth
	p.Keep = map[string]string{"role": KeepNew, "phone": KeepNew}
	mustOpen(t, s, p)
}

func TestFindPerson_ByNameDateOfBirthAndPhoneOrEmail(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	n.Email = "alex@example.org"
	alex := mustOpen(t, s, n).Person
	twin := counsellingCaller() // same name and birthday, another phone
	twin.Phone, twin.NewPerson = "07700 900777", true
	other := mustOpen(t, s, twin).Person

	tests := []struct {
		name, who, dob, phone, email string
		want                         []string
	}{
		{"phone as typed differently", "alex  MORGAN", "1985-04-02", "+44 (0)7700 900123", "", []string{alex.ID}},
		{"e-mail in capitals", "Alex Morgan", "1985-04-02", "", "ALEX@example.org", []string{alex.ID}},
		{"the namesake's phone", "Alex Morgan", "1985-04-02", "07700900777", "", []string{other.ID}},
		{"wrong date of birth", "Alex Morgan", "1985-04-03", "07700900123", "", nil},
		{"wrong phone", "Alex Morgan", "1985-04-02", "07700900000", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, err := s.FindPerson(ctx, tt.who, tt.dob, tt.phone, tt.email)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range found {
				ids = append(ids, p.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("found %v, want %v", ids, tt.want)
			}
		})
	}
	if _, err := s.FindPerson(ctx, "Alex Morgan", "1985-04-02", "", ""); err == nil {
		t.Fatal("a search without phone or e-mail was accepted")
	}
}

func TestOpenContact_CorrectedNameMovesTheLookup(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	n.Name = "Alx Morgan"
	first := mustOpen(t, s, n)
	n.PersonID, n.Name, n.Keep = first.Person.ID, "Alex Morgan", map[string]string{"name": KeepNew}
	mustOpen(t, s, n)
	if found, _ := s.FindPerson(ctx, "Alx Morgan", n.DateOfBirth, n.Phone, ""); len(found) != 0 {
		t.Errorf("old name still finds %d people", len(found))
	}
	if found, _ := s.FindPerson(ctx, "Alex Morgan", n.DateOfBirth, n.Phone, ""); len(found) != 1 {
		t.Errorf("corrected name finds %d people, want 1", len(found))
	}
}

func TestOpenContact_DateOfBirthAfterTodayOnTheStoresClockIsRefused(t *testing.T) {
	s, clock := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	tomorrow := clock.Now().In(s.Location).AddDate(0, 0, 1)
	n := counsellingCaller()
	n.DateOfBirth = ""
	n.DOBDay, n.DOBMonth, n.DOBYear = strconv.Itoa(tomorrow.Day()), strconv.Itoa(int(tomorrow.Month())), strconv.Itoa(tomorrow.Year())
	_, err := s.OpenContact(context.Background(), n)
	var inv field.Errors
	if !errors.As(err, &inv) || inv.For("date_of_birth") == "" {
		t.Fatalf("born tomorrow by the store's clock (%s): err %v, want a date of birth error", tomorrow.Format(time.DateOnly), err)
	}
}
