package api_test

import (
	"strings"
	"testing"

	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
)

// The intake report hides small numbers with the same K as the dashboards.
func TestIntakeReport_UsesTheDashboardsK(t *testing.T) {
	if intake.MinGroup != dashboards.DefaultK {
		t.Fatalf("intake K %d, dashboards K %d", intake.MinGroup, dashboards.DefaultK)
	}
	_, handler := intakeServer(t)
	openContact(t, handler, with(counsellingForm(), "ethnicity", "white-irish"))
	resp, body := handler.Get(t, "/intake/report")
	if resp.StatusCode != 200 || !strings.Contains(body, "fewer than 10") {
		t.Fatalf("report: %d\n%s", resp.StatusCode, body)
	}
}

// A partner is linked to the member who makes them eligible, and the
// member's history page offers a contact for their family.
func TestNewContact_PartnerLinkedToTheMemberRecord(t *testing.T) {
	srv, handler := intakeServer(t)
	first := openContact(t, handler, counsellingForm())
	c, _ := srv.Intake.Contact(t.Context(), first)
	_, body := handler.Get(t, "/intake/people/"+c.PersonID)
	if !strings.Contains(body, `/intake/contacts/new?member=`+c.PersonID) {
		t.Fatalf("member's page:\n%s", body)
	}
	_, body = handler.Get(t, "/intake/contacts/new?risk=no&member="+c.PersonID)
	if !strings.Contains(body, `value="`+c.PersonID+`"`) {
		t.Fatalf("form not pre-filled with the member:\n%s", body)
	}
	form := with(with(with(counsellingForm(), "name", "Chris Morgan"), "role", "partner"), "member_id", c.PersonID)
	id := openContact(t, handler, form)
	partner, _ := srv.Intake.Contact(t.Context(), id)
	_, body = handler.Get(t, "/intake/people/"+partner.PersonID)
	if !strings.Contains(body, `id="member"`) || !strings.Contains(body, "Alex Morgan") {
		t.Errorf("partner's page:\n%s", body)
	}
	resp, body := postWithCSRF(t, handler, "/intake/contacts/new", with(with(form, "member_id", "NOPE"), "name", "Other Partner"))
	if resp.StatusCode != 422 || !strings.Contains(body, `href="#member_id"`) {
		t.Errorf("unknown member: %d", resp.StatusCode)
	}
}
