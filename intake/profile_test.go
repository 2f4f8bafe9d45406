package intake

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/field"
)

func TestOpenContact_PrivacyNoticeFieldsAreOptionalAndNeverBlock(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 100, true)
	n := peerCaller()
	n.Ethnicity, n.Gender, n.Specialty = "white-irish", "not-a-gender", PreferNotToSay
	o := mustOpen(t, s, n)
	if o.Person.Ethnicity != "white-irish" || o.Person.Gender != "" || o.Person.Specialty != PreferNotToSay {
		t.Errorf("stored %q %q %q", o.Person.Ethnicity, o.Person.Gender, o.Person.Specialty)
	}
}

func TestOpenContact_DependantIsLinkedToTheMember(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	member := mustOpen(t, s, counsellingCaller()).Person
	n := counsellingCaller()
	n.Name, n.Role, n.DateOfBirth, n.Phone = "Jamie Morgan", Dependant, "2006-05-05", "07700 900222"
	n.MemberID = "NO-SUCH-RECORD"
	if _, err := s.OpenContact(ctx, n); !errors.As(err, new(field.Errors)) {
		t.Fatalf("unknown member reference: %v", err)
	}
	n.MemberID = member.ID
	o := mustOpen(t, s, n)
	if o.Person.MemberID != member.ID {
		t.Errorf("member %q, want %q", o.Person.MemberID, member.ID)
	}
	// With no record for the member, their details are kept instead.
	n.Name, n.MemberID, n.MemberDetails = "Kit Morgan", "", "Dr Pat Morgan, GP"
	if o := mustOpen(t, s, n); o.Person.MemberDetails != "Dr Pat Morgan, GP" || o.Person.MemberID != "" {
		t.Errorf("member details %+v", o.Person)
	}
}

func TestReport_HidesSmallMonthsAndSmallCounts(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	clk.Set(time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC))
	for i := range 13 {
		n := counsellingCaller()
		n.Name, n.Gender, n.NewPerson = "Caller "+string(rune('A'+i)), "woman", true
		if i >= 10 {
			n.Gender = "man" // three men: fewer than K
		}
		mustOpen(t, s, n)
	}
	clk.Set(time.Date(2026, 9, 5, 10, 0, 0, 0, time.UTC))
	n := counsellingCaller()
	n.NewPerson = true
	mustOpen(t, s, n) // September: one contact
	clk.Set(time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC))
	mustOpen(t, s, n) // November is not closed yet
	r, err := s.Report(ctx, 12)
	if err != nil || len(r.Months) != 2 {
		t.Fatalf("report %+v, %v", r, err)
	}
	oct, sep := r.Months[0], r.Months[1]
	if oct.Month != "2026-10" || oct.Hidden || oct.N != 13 || !sep.Hidden || sep.Fields != nil {
		t.Fatalf("months %+v / %+v", oct, sep)
	}
	for _, f := range oct.Fields {
		if f.Name != "gender" {
			continue
		}
		// man (3) is hidden, and so woman (10), or 13 - 10 would give it away.
		for _, row := range f.Rows {
			if !row.Suppressed || row.Count != 0 {
				t.Errorf("gender row %+v", row)
			}
		}
	}
}

func TestOpenContact_DateOfBirthFromDayMonthAndYearBoxes(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	for _, tc := range []struct{ d, m, y, want string }{
		{"2", "4", "", "must include a year"}, {"31", "2", "1985", "real date"}, {"1", "1", "2099", "in the past"}, {"", "", "", "Enter"},
	} {
		n := counsellingCaller()
		n.DateOfBirth, n.DOBDay, n.DOBMonth, n.DOBYear = "", tc.d, tc.m, tc.y
		_, err := s.OpenContact(context.Background(), n)
		var problems field.Errors
		if !errors.As(err, &problems) || !strings.Contains(problems.For("date_of_birth"), tc.want) {
			t.Errorf("%s/%s/%s: %v, want %q", tc.d, tc.m, tc.y, err, tc.want)
		}
	}
	n := counsellingCaller()
	n.DateOfBirth, n.DOBDay, n.DOBMonth, n.DOBYear = "", "2", "4", "1985"
	if o := mustOpen(t, s, n); o.Person.DateOfBirth != "1985-04-02" {
		t.Errorf("date of birth %q", o.Person.DateOfBirth)
	}
}
