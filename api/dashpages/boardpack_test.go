package dashpages_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// The board pack's headlines set the month beside the month before and the
// 12-month mean, with the response rate where invitations were counted and
// "not known" where not; its charts cover the months with data, not 24; and
// a missing organisation code is said.
func TestBoardPack_ShowsLastMonthTheMeanAndTheResponseRate(t *testing.T) {
	clock := apitest.NewClock()
	read := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now), apitest.WithDashboardsClock(read.Now))
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	start := clock.Now()
	month := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	previous := month.AddDate(0, -1, 0)

	clock.Set(previous.AddDate(0, 0, 14))
	submitAll(t, srv, "counselling", repeat(12, survey.Answers{"fft": {Choice: "very_good"}})...)
	clock.Set(month.AddDate(0, 0, 14))
	submitAll(t, srv, "counselling", append(repeat(9, survey.Answers{"fft": {Choice: "good"}}), repeat(3, survey.Answers{"fft": {Choice: "poor"}})...)...)
	if err := survey.NewInvitationCounts(srv.Store.Database(store.SurveyDatabase)).Add(context.Background(), "counselling", survey.Month(month), 40); err != nil {
		t.Fatal(err)
	}
	read.Set(month.AddDate(0, 1, 3).Add(9 * time.Hour)) // the month is published
	if err := srv.Dashboards.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}

	resp, body := quality.Get(t, "/dashboards/board-pack")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /dashboards/board-pack: %d\n%s", resp.StatusCode, body)
	}
	page := html.UnescapeString(body)
	counselling := page[strings.Index(page, `id="pack-counselling"`):strings.Index(page, `id="pack-peer-support"`)]
	row := func(name string) string {
		m := regexp.MustCompile(`<tr><th scope="row">` + name + `</th>(.*?)</tr>`).FindStringSubmatch(counselling)
		if m == nil {
			t.Fatalf("no %s row in\n%s", name, counselling)
		}
		return m[1]
	}
	cells := func(r string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<td>(.*?)</td>`).FindAllStringSubmatch(r, -1) {
			out = append(out, regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))
		}
		return out
	}
	for _, want := range []string{
		"<th scope=\"col\">" + month.Format("January 2006") + "</th><th scope=\"col\">" + previous.Format("January 2006") + "</th>",
		`12-month mean <span class="interval">` + month.AddDate(0, -11, 0).Format("Jan 2006") + " to " + month.Format("Jan 2006") + "</span>",
		"Signal and noise: the 2 months from " + previous.Format("January 2006") + " to " + month.Format("January 2006"),
	} {
		if !strings.Contains(counselling, want) {
			t.Errorf("the counselling page lacks %q", want)
		}
	}
	checks := []struct {
		row  string
		want []string
	}{
		{"Responses", []string{"12", "12", "12 a month, over 2 published months"}},
		{"FFT positive", []string{"75% 95% interval", "100% 95% interval", "87.5% 95% interval"}},
		{"Response rate", []string{"30% 12 responses to 40 invitations sent", "not known no count of invitations sent", "30% 12 responses to 40 invitations sent"}},
	}
	for _, c := range checks {
		got := cells(row(c.row))
		if len(got) != len(c.want) {
			t.Fatalf("%s: %q, want %q", c.row, got, c.want)
		}
		for i, w := range c.want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("%s, column %d: %q, want %q…", c.row, i+1, got[i], w)
			}
		}
	}
	if !strings.Contains(page, "No organisation code is set.") {
		t.Error("the missing organisation code is not flagged")
	}
	if strings.Contains(body, ` style="`) {
		t.Error("an inline style, which the CSP refuses")
	}
	// The charts are drawn over the months with data: their URLs start there.
	if !strings.Contains(body, "/dashboards/counselling/charts/fft.svg?from="+survey.Month(previous)+"&amp;to="+survey.Month(month)) {
		t.Errorf("the FFT chart does not cover %s to %s", survey.Month(previous), survey.Month(month))
	}
	// A period of several months adds its totals beside them.
	_, body = quality.Get(t, "/dashboards/board-pack?from="+survey.Month(previous)+"&to="+survey.Month(month))
	if !regexp.MustCompile(`This period <span class="interval">[^<]+</span></th></tr></thead>\s*<tbody><tr><th scope="row">Responses</th><td>12</td><td>12</td><td>12 <span class="interval">a month, over 2 published months</span></td><td>24</td>`).MatchString(body) {
		t.Errorf("no period column:\n%s", body)
	}
}

// Beside each chart's PNG download is its SVG, which answers.
func TestDashboards_EveryChartOffersItsSVGBesideThePNG(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	submitAll(t, srv, "counselling", repeat(12, survey.Answers{"fft": {Choice: "good"}})...)
	_, body := quality.Get(t, "/dashboards/counselling")
	pngs := regexp.MustCompile(`<a href="([^"]+)\.png\?([^"]+)" download>`).FindAllStringSubmatch(body, -1)
	if len(pngs) < 2 {
		t.Fatalf("%d PNG downloads", len(pngs))
	}
	for _, m := range pngs {
		svg := m[1] + ".svg?" + m[2]
		if !strings.Contains(body, `<a href="`+svg+`" download>`) {
			t.Errorf("no SVG download beside %s.png", m[1])
		}
		if resp, b := quality.Get(t, html.UnescapeString(svg)); resp.StatusCode != 200 || !strings.Contains(b, "Source: Counselling feedback survey.") {
			t.Errorf("GET %s: %d", svg, resp.StatusCode)
		}
	}
}
