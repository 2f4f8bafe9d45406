package yousaidpages_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/survey"
)

// Issue 33.7: a quality lead writes a month's "You said, we did" for a
// service on a page of the dashboards: checked field by field with what was
// typed kept, only with the CSRF token, audited with the service and month
// (never the text), changed by writing the month again, and removed; the
// survey's thank-you page shows each change at once.
func TestYouSaidPages_AQualityLeadWritesChangesAndRemovesAnEntry(t *testing.T) {
	srv := apitest.New(t)
	lead, _ := srv.Staff(t, accounts.RoleQuality)
	month := survey.Month(clocktest.Wall())

	resp, page := lead.Get(t, "/dashboards/you-said-we-did")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/dashboards/counselling/you-said-we-did"`) {
		t.Fatalf("the index: %d\n%s", resp.StatusCode, page)
	}
	if _, page := lead.Get(t, "/dashboards/counselling"); !strings.Contains(page, `href="/dashboards/counselling/you-said-we-did"`) {
		t.Fatalf("the service's dashboard does not link its page:\n%s", page)
	}
	resp, page = lead.Get(t, "/dashboards/counselling/you-said-we-did")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" ||
		!strings.Contains(page, `value="`+month+`"`) || !strings.Contains(page, "Nothing written yet") {
		t.Fatalf("the service's page: %d %q\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), page)
	}
	csrf := apitest.CSRFIn(t, page)

	if resp, _ := lead.PostForm(t, "/dashboards/counselling/you-said-we-did", url.Values{"month": {month}, "english": {"Forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a post without the CSRF token: %d", resp.StatusCode)
	}
	resp, page = lead.PostForm(t, "/dashboards/counselling/you-said-we-did", url.Values{"csrf": {csrf}, "month": {"9999-01"},
		"english": {""}, "welsh": {"<script>alert(1)</script>"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `href="#month"`) || !strings.Contains(page, `href="#english"`) ||
		!strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>") || strings.Contains(page, "<script>alert") {
		t.Fatalf("a broken entry: %d\n%s", resp.StatusCode, page)
	}

	resp, _ = lead.PostForm(t, "/dashboards/counselling/you-said-we-did", url.Values{"csrf": {csrf}, "month": {month},
		"english": {"We now call back <within> a day."}, "welsh": {""}})
	apitest.WantRedirect(t, "save an entry", resp, "/dashboards/counselling/you-said-we-did?done=saved")
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "you_said_saved", "counselling/"+month) {
		t.Fatal("saving is not in the audit log")
	}
	_, thanks := srv.Get(t, "/s/counselling/thanks?lang=en")
	if !strings.Contains(thanks, "We now call back &lt;within&gt; a day.") {
		t.Fatal("the thank-you page does not show the entry just saved")
	}

	// Opening a month to change it fills the form; writing it again replaces it.
	_, page = lead.Get(t, "/dashboards/counselling/you-said-we-did?month="+month)
	if !strings.Contains(html.UnescapeString(page), "We now call back <within> a day.</textarea>") || !strings.Contains(page, "Change the entry") {
		t.Fatalf("the entry opened to change:\n%s", page)
	}
	resp, _ = lead.PostForm(t, "/dashboards/counselling/you-said-we-did", url.Values{"csrf": {csrf}, "month": {month},
		"english": {"Call-backs within a day."}, "welsh": {"Galwadau yn ôl o fewn diwrnod."}})
	apitest.WantRedirect(t, "change an entry", resp, "/dashboards/counselling/you-said-we-did?done=saved")
	_, cy := srv.Get(t, "/s/counselling/thanks?lang=cy")
	if !strings.Contains(cy, "Galwadau yn ôl o fewn diwrnod.") || strings.Contains(cy, "within &lt;") {
		t.Fatal("the Welsh thank-you page does not show the changed entry")
	}

	resp, _ = lead.PostForm(t, "/dashboards/counselling/you-said-we-did/remove", url.Values{"csrf": {csrf}, "month": {month}})
	apitest.WantRedirect(t, "remove an entry", resp, "/dashboards/counselling/you-said-we-did?done=removed")
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "you_said_removed", "counselling/"+month) {
		t.Fatal("removing is not in the audit log")
	}
	if _, thanks := srv.Get(t, "/s/counselling/thanks?lang=en"); strings.Contains(thanks, "Call-backs within a day.") {
		t.Fatal("the thank-you page still shows a removed entry")
	}
	if resp, _ := lead.PostForm(t, "/dashboards/counselling/you-said-we-did/remove", url.Values{"csrf": {csrf}, "month": {"soon"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("removing a month that is not one: %d", resp.StatusCode)
	}
	if resp, _ := lead.Get(t, "/dashboards/nowhere/you-said-we-did"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a service that does not exist: %d", resp.StatusCode)
	}
}

// Only quality leads write it: admins, who see who is on record, and call
// handlers cannot, and nobody signed out can.
func TestYouSaidPages_OnlyQualityLeads(t *testing.T) {
	srv := apitest.New(t)
	for _, role := range []accounts.Role{accounts.RoleAdmin, accounts.RoleIntake} {
		b, _ := srv.Staff(t, role)
		if resp, _ := b.Get(t, "/dashboards/counselling/you-said-we-did"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", role, resp.StatusCode)
		}
	}
	if resp, _ := srv.Get(t, "/dashboards/counselling/you-said-we-did"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
}
