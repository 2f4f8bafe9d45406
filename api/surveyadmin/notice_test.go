package surveyadmin_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// Issue 33.6: admins set the privacy notice's facts on screen. Until they do,
// their page says which are missing and what the public notice says instead;
// saving is checked field by field, needs the CSRF token, is audited, and
// the public notice shows it at once.
func TestPrivacyNoticeSettings_AdminsSeeWhatIsUnsetAndSetItAudited(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	resp, page := admin.Get(t, "/admin/privacy-notice")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("notice settings: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	page = html.UnescapeString(page)
	for _, want := range []string{"Not set yet", "The controller (the organisation's name)", "The lawful basis",
		"Ask the office which lawful basis", "How long results are kept", `href="/s/counselling/privacy?lang=cy"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the unset settings page lacks %q", want)
		}
	}

	// Without the CSRF token nothing is saved.
	if resp, _ := admin.PostForm(t, "/admin/privacy-notice", url.Values{"controller": {"Forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a post without the CSRF token: %d", resp.StatusCode)
	}
	// Each broken rule is told beside its field, and what was typed is kept.
	csrf := apitest.CSRFIn(t, page)
	resp, page = admin.PostForm(t, "/admin/privacy-notice", url.Values{"csrf": {csrf},
		"controller": {strings.Repeat("x", 121)}, "basis": {"consent"}, "retention": {"forever"}, "dpo": {"dpo@example.org"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a broken notice: %d", resp.StatusCode)
	}
	for _, want := range []string{`href="#retention"`, "a whole number from 1 to 50", `value="dpo@example.org"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the notice sent back lacks %q", want)
		}
	}
	resp, page = admin.PostForm(t, "/admin/privacy-notice", url.Values{"csrf": {csrf},
		"controller": {strings.Repeat("x", 121)}, "basis": {"consent"}, "retention": {"6"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `href="#controller"`) || !strings.Contains(page, `href="#basis"`) {
		t.Fatalf("a notice with a long name and an unknown basis: %d\n%s", resp.StatusCode, page)
	}
	if _, public := srv.Get(t, "/s/counselling/privacy"); strings.Contains(public, "xxxxxxxx") {
		t.Fatal("a refused notice reached the public page")
	}

	resp, _ = admin.PostForm(t, "/admin/privacy-notice", url.Values{"csrf": {csrf}, "controller": {"Practitioner Support Trust"},
		"address": {"1 Example Street\r\nCardiff"}, "dpo": {"dpo@example.org"}, "basis": {"public-task"}, "retention": {"6"}})
	apitest.WantRedirect(t, "save the notice", resp, "/admin/privacy-notice?saved=1")
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "privacy_notice_saved", "5 of 5 set") {
		t.Fatal("saving the notice is not in the audit log")
	}
	_, page = admin.Get(t, "/admin/privacy-notice?saved=1")
	if strings.Contains(page, "Not set yet") || !strings.Contains(page, "Every fact is set") || !strings.Contains(page, `value="Practitioner Support Trust"`) {
		t.Fatalf("the saved notice is not shown as set:\n%s", page)
	}
	if _, public := srv.Get(t, "/s/counselling/privacy"); !strings.Contains(public, "Practitioner Support Trust is the controller") ||
		!strings.Contains(public, "Article 6(1)(e)") {
		t.Fatal("the public notice does not show what was saved")
	}

	// Quality leads and call handlers cannot change it.
	lead, _ := srv.Staff(t, accounts.RoleQuality)
	if resp, _ := lead.Get(t, "/admin/privacy-notice"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a quality lead opened the notice settings: %d", resp.StatusCode)
	}
}
