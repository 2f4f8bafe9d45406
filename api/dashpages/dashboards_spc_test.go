package dashpages_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// A lead sets a target and a baseline on a measure: the form needs the CSRF
// token, refuses a bad number with the field marked and the answer kept,
// records who changed it, and the chart then reads the target.
func TestDashboards_SPCTargetAndBaselineAreCheckedAuditedAndShown(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	submitAll(t, srv, "counselling", repeat(12, survey.Answers{"fft": {Choice: "good"}, "recommend": {Number: 9}})...)
	const form = "/dashboards/counselling/spc?measure=fft"
	resp, body := quality.Get(t, form)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="target"`) || !strings.Contains(body, `name="csrf"`) {
		t.Fatalf("GET %s: %d\n%s", form, resp.StatusCode, body)
	}
	if resp, _ := quality.PostForm(t, form, url.Values{"target": {"80"}}); resp.StatusCode != 403 {
		t.Errorf("no CSRF token: %d", resp.StatusCode)
	}
	csrf := quality.CSRF(t)
	resp, body = quality.PostForm(t, form, url.Values{"csrf": {csrf}, "target": {"eighty"}, "baseline": {nov}})
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
	resp, _ = quality.PostForm(t, form, url.Values{"csrf": {csrf}, "target": {"80%"}, "baseline": {nov}})
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "spc_setting_saved", "counselling|fft") {
		t.Error("the change is not in the audit log")
	}
	_, body = quality.Get(t, "/dashboards/counselling?from="+nov+"&to="+nov)
	for _, want := range []string{"Variation: Not enough months", "Assurance: Not enough months (target 80%)"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if resp, _ := quality.Get(t, "/dashboards/counselling/spc?measure=nope"); resp.StatusCode != 404 {
		t.Errorf("unknown measure: %d", resp.StatusCode)
	}
}

var correctLink = regexp.MustCompile(`href="(/dashboards/counselling/themes\?comment=` + nov + `~([0-9a-f]{48}))"`)

// The comments workbench over HTTP: ratings shown, filters, the CSV of the
// filtered set, and an audited correction of themes behind the CSRF token.
func TestDashboards_CommentsWorkbenchFiltersExportsAndCorrects(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	submitAll(t, srv, "counselling", append(
		repeat(6, survey.Answers{"fft": {Choice: "very_good"}, "fft_why": {Text: "She listened so well"}}),
		repeat(6, survey.Answers{"fft": {Choice: "poor"}, "fft_why": {Text: "=cmd I waited on hold"}})...)...)
	page := "/dashboards/counselling?from=" + nov + "&to=" + nov
	_, body := quality.Get(t, page+"&rating=poor")
	if strings.Count(body, "Rating: Poor") != 6 || strings.Contains(body, "She listened so well") {
		t.Fatalf("rating filter:\n%s", body)
	}
	_, body = quality.Get(t, page+"&q=listened")
	if strings.Count(body, "Rating: Very good") != 6 || !strings.Contains(body, "Staff listening, understanding") {
		t.Fatalf("search:\n%s", body)
	}
	resp, csvBody := quality.Get(t, "/dashboards/counselling/comments.csv?from="+nov+"&to="+nov+"&rating=poor")
	if resp.StatusCode != 200 || strings.Count(csvBody, "'=cmd I waited on hold") != 6 || strings.Contains(csvBody, "She listened") {
		t.Fatalf("CSV: %d\n%s", resp.StatusCode, csvBody)
	}
	if resp, _ := quality.Get(t, page+"&theme=nope"); resp.StatusCode != 400 {
		t.Errorf("unknown theme: %d", resp.StatusCode)
	}
	m := correctLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no correction link:\n%s", body)
	}
	if resp, _ := quality.PostForm(t, m[1], url.Values{"theme": {"Competence & training"}}); resp.StatusCode != 403 {
		t.Errorf("no CSRF token: %d", resp.StatusCode)
	}
	resp, _ = quality.PostForm(t, m[1], url.Values{"csrf": {quality.CSRF(t)}, "theme": {"Competence & training"}})
	if resp.StatusCode != 303 {
		t.Fatalf("correct: %d", resp.StatusCode)
	}
	if _, body = quality.Get(t, page+"&theme=Competence+%26+training"); strings.Count(body, "(corrected)") != 1 {
		t.Errorf("corrected theme not shown:\n%s", body)
	}
	target := "counselling|" + nov + "|" + m[2]
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "comment_themes_corrected", target) {
		t.Errorf("correction not audited as %s", target)
	}
	if resp, _ := quality.Get(t, "/dashboards/counselling/themes?comment="+nov+"~"+strings.Repeat("0", 48)); resp.StatusCode != 404 {
		t.Errorf("unknown comment: %d", resp.StatusCode)
	}
}

// A lead opts in to publication e-mails on the overview, behind the CSRF token.
func TestDashboards_PublicationNoticesOptInAndOut(t *testing.T) {
	srv := newDashboardServer(t)
	quality, email := srv.Staff(t, accounts.RoleQuality)
	if resp, _ := quality.PostForm(t, "/dashboards/notices", url.Values{"notices": {"yes"}}); resp.StatusCode != 403 {
		t.Errorf("no CSRF token: %d", resp.StatusCode)
	}
	csrf := quality.CSRF(t)
	if resp, _ := quality.PostForm(t, "/dashboards/notices", url.Values{"csrf": {csrf}, "notices": {"yes"}}); resp.StatusCode != 303 {
		t.Fatalf("opt in: %d", resp.StatusCode)
	}
	if on, err := srv.Dashboards.Subscribed(context.Background(), email); err != nil || !on {
		t.Fatalf("not opted in: %v", err)
	}
	_, body := quality.Get(t, "/dashboards")
	if !strings.Contains(body, `value="yes" checked`) {
		t.Error("the choice is not shown")
	}
	quality.PostForm(t, "/dashboards/notices", url.Values{"csrf": {csrf}})
	if on, _ := srv.Dashboards.Subscribed(context.Background(), email); on {
		t.Error("still opted in")
	}
}
