package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/survey"
)

// A lead sets a target and a baseline on a measure: the form needs the CSRF
// token, refuses a bad number with the field marked and the answer kept,
// records who changed it, and the chart then reads the target.
func TestDashboards_SPCTargetAndBaselineAreCheckedAuditedAndShown(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	submitAll(t, srv, "counselling", repeat(12, survey.Answers{"fft": {Choice: "good"}, "recommend": {Number: 9}})...)
	const form = "/dashboards/counselling/spc/fft"
	resp, body := quality.Get(t, form)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="target"`) || !strings.Contains(body, `name="csrf"`) {
		t.Fatalf("GET %s: %d\n%s", form, resp.StatusCode, body)
	}
	if resp, _ := quality.PostForm(t, form, url.Values{"target": {"80"}}); resp.StatusCode != 403 {
		t.Errorf("no CSRF token: %d", resp.StatusCode)
	}
	csrf := quality.CSRF(t)
	resp, body = quality.PostForm(t, form, url.Values{"csrf": {csrf}, "target": {"eighty"}, "baseline": {"2026-11"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "error-summary") || !strings.Contains(body, `href="#target"`) || !strings.Contains(body, `value="eighty"`) {
		t.Fatalf("bad target: %d\n%s", resp.StatusCode, body)
	}
	resp, body = quality.PostForm(t, form, url.Values{"csrf": {csrf}, "target": {"120"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "Enter a target from 0 to 100") {
		t.Fatalf("target over 100: %d\n%s", resp.StatusCode, body)
	}
	resp, body = quality.PostForm(t, form, url.Values{"csrf": {csrf}, "baseline": {"Nov"}})
	if resp.StatusCode != 422 || !strings.Contains(body, `href="#baseline"`) {
		t.Fatalf("bad baseline: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = quality.PostForm(t, form, url.Values{"csrf": {csrf}, "target": {"80%"}, "baseline": {"2026-11"}})
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if !hasAudit(auditEntries(t, srv), "spc_setting_saved", "counselling|fft") {
		t.Error("the change is not in the audit log")
	}
	_, body = quality.Get(t, "/dashboards/counselling?from=2026-11&to=2026-11")
	for _, want := range []string{"Variation: Not enough months", "Assurance: Not enough months (target 80%)"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if resp, _ := quality.Get(t, "/dashboards/counselling/spc/nope"); resp.StatusCode != 404 {
		t.Errorf("unknown measure: %d", resp.StatusCode)
	}
}
