package intakepages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// The first question is immediate risk, on a page of its own that needs no
// script: answered yes, the guidance comes first, before anything else is asked.
func TestNewContact_AsksAboutImmediateRiskFirstAndShowsTheGuidanceOnYes(t *testing.T) {
	_, handler := apitest.IntakeServer(t)
	resp, body := handler.Get(t, "/intake/contacts/new")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Is the caller at immediate risk?") ||
		strings.Contains(body, `name="name"`) || strings.Contains(body, `id="risk-guidance"`) {
		t.Fatalf("first step: %d\n%s", resp.StatusCode, body)
	}
	resp, body = handler.Get(t, "/intake/contacts/new?asked=1")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#risk"`) {
		t.Fatalf("unanswered: %d\n%s", resp.StatusCode, body)
	}
	_, body = handler.Get(t, "/intake/contacts/new?asked=1&risk=yes")
	guidance := strings.Index(body, `id="risk-guidance"`)
	if guidance < 0 || guidance > strings.Index(body, `name="name"`) || !strings.Contains(body, "call 999 now") ||
		!strings.Contains(body, "What to record") || !strings.Contains(body, `name="postcode_missing"`) {
		t.Fatalf("risk yes: guidance at %d\n%s", guidance, body)
	}
}

// A caller at risk who will not give a postcode is logged and routed, and the
// contact page says the postcode was refused.
func TestNewContact_AtRiskWithThePostcodeRefusedIsOpenedAndRouted(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	form := apitest.With(apitest.With(apitest.CounsellingForm(), "risk", "yes"), "postcode_missing", "refused")
	form.Del("postcode")
	id := apitest.OpenContact(t, handler, form)
	_, body := handler.Get(t, "/intake/contacts/"+id)
	for _, want := range []string{`id="risk-guidance"`, "Not given: refused", "Routed to Dr Casey Counsellor", `id="resolve-risk"`} {
		if !strings.Contains(body, want) {
			t.Errorf("contact page lacks %q", want)
		}
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "risk_flagged", id) {
		t.Error("risk flag not audited")
	}
}

// An under-16 caller at risk is refused by the rules but recorded, audited,
// shown with the refusal and the guidance, and never texted.
func TestNewContact_RefusedCallerAtRiskIsRecordedAndAudited(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	form := apitest.With(apitest.With(apitest.With(apitest.CounsellingForm(), "risk", "yes"), "date_of_birth", "2015-01-01"), "postcode", "unknown")
	id := apitest.OpenContact(t, handler, form)
	_, body := handler.Get(t, "/intake/contacts/"+id)
	for _, want := range []string{`id="refusal"`, "Childline", `id="risk-guidance"`, "not routed to anyone"} {
		if !strings.Contains(body, want) {
			t.Errorf("contact page lacks %q", want)
		}
	}
	entries := apitest.AuditEntries(t, srv)
	if !apitest.HasAudit(entries, "risk_flagged", id) || !apitest.HasAudit(entries, "refused_at_risk", id) {
		t.Error("refused-at-risk contact not audited")
	}
	// Not at risk, the same refusal records nothing.
	form = apitest.With(apitest.With(apitest.CounsellingForm(), "date_of_birth", "2015-01-01"), "name", "Another Child")
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused, not at risk: %d", resp.StatusCode)
	}
}

// After "999 called", no survey text; the page says why.
func TestCloseContact_AfterAnEmergencyNoSurveyTextAndThePageSaysWhy(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.With(apitest.CounsellingForm(), "risk", "yes"))
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close",
		url.Values{"outcome": {"Ambulance dispatched"}, "emergency": {"yes"}})
	apitest.WantRedirect(t, "close", resp, "/intake/contacts/"+id)
	_, body := handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, "No survey text: emergency services were called") {
		t.Errorf("closed page:\n%s", body)
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "emergency_recorded", id) {
		t.Error("emergency not audited")
	}
	n, err := srv.Store.Database(intake.Database).Collection("outbox").CountDocuments(context.Background(), map[string]any{})
	if err != nil || n != 0 {
		t.Errorf("outbox holds %d (%v), want none", n, err)
	}
}

// A risk flag is set during a call and later recorded as passed, each audited.
func TestContactRisk_FlaggedDuringTheCallThenResolvedAreAudited(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/risk", url.Values{"flag": {"yes"}})
	apitest.WantRedirect(t, "flag", resp, "/intake/contacts/"+id)
	_, body := handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, `id="risk-guidance"`) {
		t.Error("no guidance after flagging")
	}
	resp, _ = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/risk", url.Values{"flag": {"no"}})
	apitest.WantRedirect(t, "resolve", resp, "/intake/contacts/"+id)
	resp, _ = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/risk", url.Values{"flag": {"no"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("resolving twice: %d", resp.StatusCode)
	}
	entries := apitest.AuditEntries(t, srv)
	if !apitest.HasAudit(entries, "risk_flagged", id) || !apitest.HasAudit(entries, "risk_resolved", id) {
		t.Error("flag and resolve not audited")
	}
}

// A returning caller at risk is never held up by the likely-match check; the
// contact page then names their other record, for an admin to merge.
func TestNewContact_AtRiskSkipsTheMatchCheckAndNamesTheOtherRecord(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	first := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, _ := srv.Intake.Contact(context.Background(), first)
	id := apitest.OpenContact(t, handler, apitest.With(apitest.With(apitest.CounsellingForm(), "risk", "yes"), "phone", "07700 900555"))
	_, body := handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, `id="other-records"`) || !strings.Contains(body, c.PersonID) {
		t.Errorf("contact page of a caller at risk with another record:\n%s", body)
	}
}
