package dashpages_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/survey"
)

// The comments workbench as issue 33 found it: the count of matching comments
// is shown, the download is worded for what it holds, no stray "Why" stands
// beside each comment, "Don't know" is a rating to filter by, the themes page
// without a comment leads back to the comments, a year before the survey ran
// is "no responses" rather than "not published", and a blank organisation
// code is flagged with its setting.
func TestWorkbench_CountsWordingAndFilters(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	submitAll(t, srv, "counselling", append(
		repeat(11, survey.Answers{"fft": {Choice: "very_good"}, "fft_why": {Text: "She listened and was so kind"}}),
		survey.Answers{"fft": {Choice: "dont_know"}, "fft_why": {Text: "I am not sure what to make of it"}})...)
	period := "?from=" + nov + "&to=" + nov // the clock's month (apitest.Month)

	_, page := quality.Get(t, "/dashboards/counselling"+period)
	for _, want := range []string{
		`<option value="dont_know">Don&#39;t know</option>`,
		`<p class="comment-count" id="comment-count">12 comments in this period.</p>`,
		`download>Download every comment of the period (CSV)</a>`,
		`<td>1 month with no responses (the survey was not running)</td>`,
		`<td>none</td>`, // November ran and is shown
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the service page lacks %s", want)
		}
	}
	for _, stray := range []string{"· Why", "Months not published", "these comment "} {
		if strings.Contains(page, stray) {
			t.Errorf("the service page still says %q", stray)
		}
	}

	_, page = quality.Get(t, "/dashboards/counselling"+period+"&rating=dont_know")
	for _, want := range []string{
		`<option value="dont_know" selected>Don&#39;t know</option>`,
		"1 comment matches these filters.", "Download this comment (CSV)", "I am not sure what to make of it",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("filtered by don't know, the page lacks %s", want)
		}
	}
	if strings.Contains(page, "so kind") {
		t.Error("filtered by don't know, a very good comment is shown")
	}
	_, page = quality.Get(t, "/dashboards/counselling"+period+"&rating=very_good")
	if !strings.Contains(page, "11 comments match these filters.") || !strings.Contains(page, "Download these 11 comments (CSV)") {
		t.Error("filtered by very good, the page does not count 11")
	}

	resp, body := quality.Get(t, "/dashboards/counselling/comments.csv"+period+"&rating=dont_know")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(rows) != 2 || rows[1][3] != "Don't know" {
		t.Errorf("comments CSV: %d %v %q", resp.StatusCode, err, rows)
	}

	resp, _ = quality.Get(t, "/dashboards/counselling/themes")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/dashboards/counselling#comments" {
		t.Errorf("themes without a comment: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := quality.Get(t, "/dashboards/counselling/themes?comment="+nov+"~nope"); resp.StatusCode != 404 {
		t.Errorf("themes of no comment: %d", resp.StatusCode)
	}

	_, page = quality.Get(t, "/dashboards"+period)
	if !strings.Contains(page, "The return's organisation code is blank.") || !strings.Contains(page, "<code>FEEDBACK_ORGANISATION_CODE</code>") {
		t.Error("the overview does not flag the blank organisation code")
	}
}
