package intakepages_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/intake"
)

// handlerDay is a date as the pages say it to a handler: "Monday 21 December",
// with the year when it is not now's.
func handlerDay(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	if t.Year() != now.Year() {
		return t.Format("Monday 2 January 2006")
	}
	return t.Format("Monday 2 January")
}

// Where a handler reads a date limit, it is a day in words: when the next
// survey invitation may go to a caller texted recently, and when a
// peer-support text goes if no conversation is recorded.
func TestContact_DateLimitsAreSaidAsDays(t *testing.T) {
	clk := clocktest.New(clocktest.Start(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)))
	srv, handler := apitest.IntakeServer(t, apitest.WithIntakeClock(clk.Now))
	ctx := context.Background()
	loc := srv.Intake.Location
	first := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+first+"/close", url.Values{"outcome": {"Booked"}})
	outbox, err := intake.NewOutbox(srv.Intake, &apitest.TextSender{}, nil, "https://feedback.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("outbox %+v %v", res, err)
	}
	sentAt := clk.Now()
	clk.Advance(3 * 24 * time.Hour)
	c, _ := srv.Intake.Contact(ctx, first)
	again := apitest.With(apitest.CounsellingForm(), "person_id", c.PersonID)
	second := apitest.OpenContact(t, handler, again)
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+second+"/close", url.Values{"outcome": {"Second session"}})
	_, body := handler.Get(t, "/intake/contacts/"+second)
	next := handlerDay(sentAt.Add(30*24*time.Hour), clk.Now(), loc)
	if want := "the caller was sent one in the last 30 days; the next can go from " + next + "."; !strings.Contains(body, want) {
		t.Errorf("closed contact lacks %q:\n%s", want, body)
	}
	_, body = handler.Get(t, "/intake/people/"+c.PersonID)
	if want := "no other until " + next; !strings.Contains(body, want) {
		t.Errorf("history lacks %q", want)
	}

	peer := apitest.OpenContact(t, handler, apitest.PeerForm())
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+peer+"/close", url.Values{"outcome": {"Details given"}})
	pc, _ := srv.Intake.Contact(ctx, peer)
	_, body = handler.Get(t, "/intake/contacts/"+peer)
	if want := "(or goes on " + handlerDay(srv.Intake.PeerSurveyDue(pc), clk.Now(), loc) + " if none is)"; !strings.Contains(body, want) {
		t.Errorf("peer contact lacks %q:\n%s", want, body)
	}
}
