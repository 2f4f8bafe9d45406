package intakepages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// Issue 32.1: a caller at immediate risk is recorded with the risk answer
// alone. The contact page says it is incomplete and what to ask; it is listed
// as incomplete, counts no session, and is completed later from its page.
func TestNewContact_AtRiskWithNothingKnownIsRecordedListedAndCompletedLater(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	_, body := handler.Get(t, "/intake/contacts/new?asked=1&risk=yes")
	for _, want := range []string{`id="record-now"`, "Nothing below is needed", `value="crisis"`, `name="refused"`} {
		if !strings.Contains(body, want) {
			t.Errorf("form at risk lacks %q", want)
		}
	}
	id := apitest.OpenContact(t, handler, url.Values{"risk": {"yes"}})
	_, body = handler.Get(t, "/intake/contacts/"+id)
	for _, want := range []string{`id="risk-guidance"`, `id="incomplete"`, "Date of birth: not known yet", "Service</th><td>Not known yet",
		intake.UnroutedCrisis, `href="/intake/contacts/` + id + `/details"`, "a caller whose name is not known yet"} {
		if !strings.Contains(body, want) {
			t.Errorf("contact page lacks %q", want)
		}
	}
	if strings.Contains(body, "session 1") {
		t.Error("a crisis contact counted a session")
	}
	_, body = handler.Get(t, "/intake/contacts/incomplete")
	if !strings.Contains(body, "/intake/contacts/"+id) || !strings.Contains(body, "Name not known yet") {
		t.Errorf("incomplete list:\n%s", body)
	}

	resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/details", url.Values{"phone": {"12"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#phone"`) {
		t.Fatalf("bad phone: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/details", url.Values{
		"service": {"crisis"}, "channel": {"phone"}, "role": {"doctor"}, "name": {"Robin Ash"},
		"date_of_birth-day": {"2"}, "date_of_birth-month": {"4"}, "date_of_birth-year": {"1985"}, "phone": {"07700 900111"},
		"refused": {"postcode"}})
	apitest.WantRedirect(t, "complete", resp, "/intake/contacts/"+id)
	_, body = handler.Get(t, "/intake/contacts/"+id)
	if strings.Contains(body, `id="complete-details"`) || !strings.Contains(body, "Postcode: refused by the caller") ||
		!strings.Contains(body, "Contact with Robin Ash") {
		t.Errorf("completed contact:\n%s", body)
	}
	_, body = handler.Get(t, "/intake/contacts/incomplete")
	if !strings.Contains(body, `id="none-incomplete"`) {
		t.Errorf("still listed:\n%s", body)
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "contact_details_completed", id) {
		t.Error("completion not audited")
	}
}

// Issue 32.1: a crisis contact uses no counsellor capacity; with every
// counselling detail known and counselling chosen, it is routed as before.
func TestNewContact_CrisisOnlyUsesNoCapacity(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	form := apitest.With(apitest.With(apitest.CounsellingForm(), "risk", "yes"), "service", "crisis")
	id := apitest.OpenContact(t, handler, form)
	c, err := srv.Intake.Contact(context.Background(), id)
	if err != nil || c.PractitionerID != "" || c.Session != 0 || !c.Crisis {
		t.Fatalf("crisis contact %+v (%v)", c, err)
	}
	ps, _ := srv.Intake.Practitioners(context.Background(), intake.Counsellor)
	if ps[0].Routed != 0 {
		t.Errorf("capacity used: %d", ps[0].Routed)
	}
}

// Issue 32.2: on a fresh install, /intake and the new-contact form say that
// practitioners must be set up first and link to where; a caller at risk is
// recorded all the same.
func TestIntakeHome_OnAFreshInstallSaysToSetUpPractitioners(t *testing.T) {
	srv := apitest.New(t)
	handler, _ := srv.Staff(t, accounts.RoleIntake)
	for _, path := range []string{"/intake", "/intake/contacts/new"} {
		resp, body := handler.Get(t, path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="setup"`) || !strings.Contains(body, `href="/admin/practitioners"`) ||
			!strings.Contains(body, "No counsellor and no peer-support doctor is active") {
			t.Errorf("%s: %d\n%s", path, resp.StatusCode, body)
		}
	}
	apitest.OpenContact(t, handler, apitest.With(apitest.CounsellingForm(), "risk", "yes"))
	apitest.AddPractitioner(t, srv, "Dr Casey Counsellor", intake.Counsellor, "")
	_, body := handler.Get(t, "/intake")
	if !strings.Contains(body, "No peer-support doctor is active") || strings.Contains(body, "No counsellor") {
		t.Errorf("one counsellor added:\n%s", body)
	}
	apitest.AddPractitioner(t, srv, "Dr Pat Peer", intake.PeerSupporter, "07700 900999")
	if _, body = handler.Get(t, "/intake"); strings.Contains(body, `id="setup"`) {
		t.Errorf("both added:\n%s", body)
	}
}
