package intakepages_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
)

// The intake report hides small numbers with the same K as the dashboards.
func TestIntakeReport_UsesTheDashboardsK(t *testing.T) {
	if intake.MinGroup != dashboards.DefaultK {
		t.Fatalf("intake K %d, dashboards K %d", intake.MinGroup, dashboards.DefaultK)
	}
	_, handler := apitest.IntakeServer(t)
	apitest.OpenContact(t, handler, apitest.With(apitest.CounsellingForm(), "ethnicity", "white-irish"))
	resp, body := handler.Get(t, "/intake/report")
	if resp.StatusCode != 200 || !strings.Contains(body, "fewer than 10") {
		t.Fatalf("report: %d\n%s", resp.StatusCode, body)
	}
}

// A partner is linked to the member who makes them eligible, and the
// member's history page offers a contact for their family.
func TestNewContact_PartnerLinkedToTheMemberRecord(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	first := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, _ := srv.Intake.Contact(t.Context(), first)
	_, body := handler.Get(t, "/intake/people/"+c.PersonID)
	if !strings.Contains(body, `/intake/contacts/new?member=`+c.PersonID) {
		t.Fatalf("member's page:\n%s", body)
	}
	_, body = handler.Get(t, "/intake/contacts/new?risk=no&member="+c.PersonID)
	if !strings.Contains(body, `value="`+c.PersonID+`"`) {
		t.Fatalf("form not pre-filled with the member:\n%s", body)
	}
	form := apitest.With(apitest.With(apitest.With(apitest.CounsellingForm(), "name", "Chris Morgan"), "role", "partner"), "member_id", c.PersonID)
	id := apitest.OpenContact(t, handler, form)
	partner, _ := srv.Intake.Contact(t.Context(), id)
	_, body = handler.Get(t, "/intake/people/"+partner.PersonID)
	if !strings.Contains(body, `id="member"`) || !strings.Contains(body, "Alex Morgan") {
		t.Errorf("partner's page:\n%s", body)
	}
	resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", apitest.With(apitest.With(form, "member_id", "NOPE"), "name", "Other Partner"))
	if resp.StatusCode != 422 || !strings.Contains(body, `href="#member_id"`) {
		t.Errorf("unknown member: %d", resp.StatusCode)
	}
}

// A closed month with K contacts shows its counts, in words, small ones hidden.
func TestIntakeReport_ShowsAClosedMonthInWords(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	last := time.Now().In(srv.Intake.Location).AddDate(0, 0, -time.Now().Day()).Format("2006-01") // a closed month
	_, err := srv.Store.Database(intake.Database).Collection("profile_counts").InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: last}, {Key: "n", Value: 24},
		{Key: "ethnicity", Value: bson.D{{Key: "white-british", Value: 12}, {Key: "white-irish", Value: 10}, {Key: "not-asked", Value: 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, body := handler.Get(t, "/intake/report")
	for _, want := range []string{"24 contacts.", "White: English, Welsh, Scottish, Northern Irish or British", "<td>12</td>", "White: Irish", "Not asked"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// 2 is hidden, and so the 10, which with the total would give it away.
	if strings.Contains(body, "<td>2</td>") || strings.Contains(body, "<td>10</td>") {
		t.Error("a count under K, or its complement, is shown")
	}
}

// A caller turned away, not at risk, leaves no record but is counted, and the
// report shows the count once the month has closed, in words.
func TestIntakeReport_CountsCallersTurnedAwayByServiceAndReason(t *testing.T) {
	clk := clocktest.New(clocktest.Start(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)))
	srv, handler := apitest.IntakeServer(t, apitest.WithIntakeClock(clk.Now))
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", apitest.With(apitest.CounsellingForm(), "role", "other"))
	if resp.StatusCode != 422 {
		t.Fatalf("not eligible: %d", resp.StatusCode)
	}
	if found, _ := srv.Intake.LikelyMatches(context.Background(), "Alex Morgan", "1985-04-02"); len(found) != 0 {
		t.Fatalf("a turned-away caller was recorded: %+v", found)
	}
	month := clk.Now().In(srv.Intake.Location).Format("2006-01")
	_, body := handler.Get(t, "/intake/report")
	if strings.Contains(body, "Turned away in "+month) {
		t.Fatal("the month still open is shown")
	}
	clk.Advance(32 * 24 * time.Hour)
	_, body = handler.Get(t, "/intake/report")
	for _, want := range []string{"Turned away in " + month, "<td>Counselling</td><td>Not a doctor, medical student, partner or dependant</td><td>fewer than 10</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q:\n%s", want, body)
		}
	}
}
