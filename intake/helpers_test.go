package intake

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store/storetest"
)

// monday is a fixed "now" for tests: Monday 23 November 2026, 10:00 UTC (ISO
// week 2026-W48), or FEEDBACK_TEST_NOW when set.
var monday = clocktest.Start(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))

// dayAfter is the day offset days after monday's, as the date input's
// boxes (day, month, year) and as YYYY-MM-DD.
func dayAfter(offset int) (d, m, y, iso string) {
	t := monday.AddDate(0, 0, offset)
	return strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year()), t.Format(time.DateOnly)
}

// logOn logs a conversation on the day offset days after monday's.
func logOn(s *Store, ctx context.Context, id string, offset int) (Contact, error) {
	d, m, y, _ := dayAfter(offset)
	return s.LogConversation(ctx, id, d, m, y)
}

// isoDay is dayAfter's YYYY-MM-DD.
func isoDay(offset int) string { _, _, _, iso := dayAfter(offset); return iso }

// newTestStore opens an intake store on a fresh embedded database, with its
// clock at monday in London.
func newTestStore(t testing.TB) (*Store, *clocktest.Clock) {
	t.Helper()
	c := clocktest.New(monday)
	s := New(storetest.New(t).Database(Database), c.Now)
	if err := s.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, c
}

func addPractitioner(t testing.TB, s *Store, name string, kind PractitionerKind, capacity int, active bool) Practitioner {
	t.Helper()
	d := PractitionerDetails{Name: name, Kind: kind, WeeklyCapacity: capacity, Active: active}
	if kind == PeerSupporter {
		d.Phone = "07700 900999"
	}
	p, err := s.AddPractitioner(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// counsellingCaller is a complete, eligible counselling form.
func counsellingCaller() NewContact {
	return NewContact{Service: Counselling, Channel: Phone, Role: Doctor, FeedbackAgreed: true,
		Name: "Alex Morgan", DateOfBirth: "1985-04-02", Phone: "07700 900123", Organisation: "St Elsewhere NHS Trust"}
}

// peerCaller is a complete, eligible peer-support form.
func peerCaller() NewContact {
	return NewContact{Service: PeerSupport, Channel: LiveChat, Role: MedicalStudent, FeedbackAgreed: true,
		Name: "Sam Patel", DateOfBirth: "2001-09-30", Phone: "+44 7700 900456", Address: "1 High Street, Leeds", JobRole: "Medical student"}
}

func mustOpen(t testing.TB, s *Store, n NewContact) Opened {
	t.Helper()
	o, err := s.OpenContact(context.Background(), n)
	if err != nil {
		t.Fatalf("open contact: %v", err)
	}
	return o
}
