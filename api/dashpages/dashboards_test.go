package dashpages_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// The months these tests name, written for November 2026, on the calendar the
// clock starts in (apitest.Month): nov is the month the survey clock stands in.
var (
	nov, oct, jan = apitest.Month(2026, 11), apitest.Month(2026, 10), apitest.Month(2026, 1)
	novName       = apitest.OnCalendar(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)).Format("January 2006")
)

// newDashboardServer is a server whose survey clock stands at 24 November 2026,
// and whose dashboards are read on 3 December, once November is released (or
// the same days of the months FEEDBACK_TEST_NOW starts in).
func newDashboardServer(t *testing.T) *apitest.Server {
	t.Helper()
	read := apitest.OnCalendar(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	return apitest.New(t, apitest.WithClock(apitest.NewClock().Now), apitest.WithDashboardsClock(func() time.Time { return read }))
}

// submitAll submits responses to service through the survey's own code and waits
// for the counters and comments written behind them.
func submitAll(t *testing.T, srv *apitest.Server, service string, answers ...survey.Answers) {
	t.Helper()
	def, ok := srv.Surveys.Get(service)
	if !ok {
		t.Fatalf("no survey %s", service)
	}
	ctx := context.Background()
	for _, a := range answers {
		nonce, err := srv.Responses.Keys().IssueVerified(ctx, service)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Responses.Submit(ctx, def, nonce, a); err != nil {
			t.Fatal(err)
		}
	}
	srv.ReleaseAll(t)
}

func repeat(n int, a survey.Answers) []survey.Answers {
	out := make([]survey.Answers, n)
	for i := range out {
		out[i] = a
	}
	return out
}

// dashboardRoutes are every dashboard route, with a query where one is read.
var dashboardRoutes = []string{
	"/dashboards",
	"/dashboards?from=" + jan + "&to=" + nov,
	"/dashboards/counselling",
	"/dashboards/peer-support?from=" + nov + "&to=" + nov,
	"/dashboards/counselling/charts/fft.svg?from=" + nov + "&to=" + nov,
	"/dashboards/counselling/charts/fft.png?from=" + nov + "&to=" + nov,
	"/dashboards/counselling/charts/responses.csv",
	"/dashboards/counselling/export.csv",
	"/dashboards/fft-return.csv?from=" + oct + "&to=" + nov,
	"/api/v1/stats/counselling?from=" + nov + "&to=" + nov,
}

func TestDashboards_OnlyQualityAndAdminMayOpenThem(t *testing.T) {
	srv := newDashboardServer(t)
	submitAll(t, srv, "counselling", repeat(10, survey.Answers{"fft": {Choice: "good"}})...)
	browsers := map[string]*apitest.Browser{"signed out": srv.Browser()}
	for _, r := range accounts.Roles {
		browsers[string(r)], _ = srv.Staff(t, r)
	}
	for _, path := range dashboardRoutes {
		api := strings.HasPrefix(path, "/api/")
		want := map[string]int{"admin": 403, "quality": 200, "intake": 403, "signed out": 303}
		if api {
			want["signed out"] = 401
		}
		for who, status := range want {
			resp, body := browsers[who].Get(t, path)
			if resp.StatusCode != status {
				t.Errorf("%s GET %s: %d, want %d", who, path, resp.StatusCode, status)
				continue
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s GET %s: Cache-Control %q", who, path, cc)
			}
			switch {
			case status >= 400 && api:
				if resp.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s GET %s: %s %s", who, path, resp.Header.Get("Content-Type"), body)
				}
			case status == 403:
				if !strings.Contains(body, "You cannot open this page") {
					t.Errorf("%s GET %s: 403 page:\n%s", who, path, body)
				}
			case status == 303:
				if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
					t.Errorf("%s GET %s: to %q", who, path, loc)
				}
			}
		}
	}
	_, home := browsers["quality"].Get(t, "/staff")
	if !strings.Contains(home, `href="/dashboards"`) {
		t.Errorf("quality lead's home page has no link to the dashboards:\n%s", home)
	}
	// Admins see who is on record (subject access), so not the figures.
	if _, home := browsers["admin"].Get(t, "/staff"); strings.Contains(home, `href="/dashboards"`) {
		t.Errorf("admin home page links the dashboards:\n%s", home)
	}
}

// statsMonth is the part of GET /api/v1/stats a test reads.
type statsMonth struct {
	Month   string `json:"month"`
	Hidden  bool   `json:"hidden"`
	Figures *struct {
		Responses int64 `json:"responses"`
	} `json:"figures"`
}

type statsDoc struct {
	Months       []statsMonth `json:"months"`
	HiddenMonths []string     `json:"hidden_months"`
	Totals       struct {
		Responses int64 `json:"responses"`
		FFT       struct {
			Positive *float64 `json:"positive_percent"`
		} `json:"fft"`
	} `json:"totals"`
}

func TestDashboards_AMonthOfKMinusOneIsHiddenThenShownAtK(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	const k = 10
	script := `<script>alert("x")</script> & <b>thanks</b>`
	answers := append(repeat(k-2, survey.Answers{"fft": {Choice: "very_good"}}),
		survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: script}})
	submitAll(t, srv, "counselling", answers...)

	page, stats := "/dashboards/counselling?from="+nov+"&to="+nov, "/api/v1/stats/counselling?from="+nov+"&to="+nov
	resp, body := quality.Get(t, page)
	if resp.StatusCode != 200 || !strings.Contains(body, "fewer than 10 responses") || !strings.Contains(body, novName+" is left out") {
		t.Fatalf("K-1: %d, hidden month not said:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "thanks") || strings.Contains(body, "alert") {
		t.Fatal("K-1: a comment from a hidden month is shown")
	}
	var st statsDoc
	_, js := quality.Get(t, stats)
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Months) != 1 || !st.Months[0].Hidden || st.Months[0].Figures != nil || st.Totals.Responses != 0 ||
		st.Totals.FFT.Positive != nil || len(st.HiddenMonths) != 1 || strings.Contains(js, `"responses":9`) {
		t.Fatalf("K-1 published something: %s", js)
	}

	submitAll(t, srv, "counselling", survey.Answers{"fft": {Choice: "very_good"}})
	resp, body = quality.Get(t, page)
	if resp.StatusCode != 200 || strings.Contains(body, "is left out") {
		t.Fatalf("K: %d, still hidden:\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "<dd>10</dd>") || !strings.Contains(body, "<dd>100% <span class=\"interval\">95% interval 72.2–100%</span>") ||
		!strings.Contains(body, "Only 10 people answered the FFT question") {
		t.Errorf("K: totals not shown:\n%s", body)
	}
	// Free text is shown as text: escaped, never markup.
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>thanks") {
		t.Fatal("a comment's markup reached the page unescaped")
	}
	if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;thanks&lt;/b&gt;") {
		t.Errorf("the comment is not on the page, escaped:\n%s", body)
	}
	_, js = quality.Get(t, stats)
	st = statsDoc{}
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatal(err)
	}
	if st.Months[0].Hidden || st.Months[0].Figures == nil || st.Months[0].Figures.Responses != k || st.Totals.Responses != k || len(st.HiddenMonths) != 0 {
		t.Fatalf("K not published: %s", js)
	}
}

var chartSrc = regexp.MustCompile(`<img src="(/dashboards/[^"]+\.svg[^"]*)" alt="([^"]+)"`)

func TestDashboards_ChartsAreValidSVGAndPNGWithTextAlternatives(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	a := survey.Answers{"fft": {Choice: "good"}, "recommend": {Number: 9}, "contact": {Choices: []string{"phone"}}}
	submitAll(t, srv, "counselling", repeat(12, a)...)
	for _, path := range []string{"/dashboards", "/dashboards/counselling"} {
		_, body := quality.Get(t, path)
		imgs := chartSrc.FindAllStringSubmatch(body, -1)
		if len(imgs) < 2 || strings.Count(body, "<img ") != len(imgs) {
			t.Fatalf("%s: %d charts with alt text of %d images", path, len(imgs), strings.Count(body, "<img "))
		}
		if strings.Count(body, `<table class="table data">`) != len(imgs) {
			t.Errorf("%s: %d charts, %d data tables", path, len(imgs), strings.Count(body, `<table class="table data">`))
		}
		for _, m := range imgs {
			src := html.UnescapeString(m[1])
			resp, svg := quality.Get(t, src)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
				t.Fatalf("GET %s: %d %s", src, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			dec := xml.NewDecoder(strings.NewReader(svg))
			for {
				_, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("GET %s: not XML: %v", src, err)
				}
			}
			pngPath := strings.Replace(src, ".svg?", ".png?", 1)
			resp, raw := quality.Get(t, pngPath)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("GET %s: %d %v", pngPath, resp.StatusCode, resp.Header)
			}
			if _, err := png.Decode(strings.NewReader(raw)); err != nil {
				t.Fatalf("GET %s: %v", pngPath, err)
			}
		}
	}
}

func TestDashboards_CSVExportsAreDownloadsWithNoFormulaCells(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	// Every answer 0 of 10 makes the score -100: a negative number stays a number.
	submitAll(t, srv, "counselling", repeat(11, survey.Answers{"fft": {Choice: "very_poor"}, "recommend": {Number: 0}})...)
	for _, path := range []string{
		"/dashboards/counselling/export.csv?from=" + oct + "&to=" + nov,
		"/dashboards/counselling/charts/score.csv?from=" + nov + "&to=" + nov,
		"/dashboards/fft-return.csv?from=" + oct + "&to=" + nov,
	} {
		resp, body := quality.Get(t, path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="`) {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, resp.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("GET %s: %v\n%s", path, err, body)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell == "" || cell == "-100" {
					continue
				}
				if strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("GET %s: cell %q would be read as a formula", path, cell)
				}
			}
		}
		if strings.Contains(path, "score") && !strings.Contains(body, nov+",-100,") {
			t.Errorf("score CSV:\n%s", body)
		}
	}
}

func TestDashboards_BadParametersAre4xxNever5xx(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	submitAll(t, srv, "counselling", repeat(10, survey.Answers{"fft": {Choice: "good"}})...)
	for path, want := range map[string]int{
		"/dashboards?from=2026-13":                             400,
		"/dashboards?from=2026-1":                              400,
		"/dashboards?from=2026-11&to=2026-01":                  400,
		"/dashboards?from=2000-01&to=2026-11":                  400,
		"/dashboards?to=%00":                                   400,
		"/dashboards/counselling?from=abc":                     400,
		"/dashboards/counselling?from=2026-11-01":              400,
		"/dashboards/counselling?comments=garbage":             400,
		"/dashboards/counselling?comments=2026-11~zz":          400,
		"/dashboards/no-such-service":                          404,
		"/dashboards/no-such-service/export.csv":               404,
		"/dashboards/no-such-service/charts/fft.svg":           404,
		"/dashboards/counselling/charts/no-such-chart.svg":     404,
		"/dashboards/counselling/charts/fft.gif":               404,
		"/dashboards/counselling/charts/fft":                   404,
		"/dashboards/counselling/charts/question-fft_why.svg":  404, // free text has no chart
		"/dashboards/counselling/charts/fft.svg?to=x":          400,
		"/dashboards/counselling/charts/fft.png?from=2026-12a": 400,
		"/dashboards/counselling/export.csv?from=1":            400,
		"/dashboards/fft-return.csv?from=x":                    400,
		"/api/v1/stats/counselling?from=x":                     400,
		"/api/v1/stats/counselling?from=2026-11&to=2026-10":    400,
		"/api/v1/stats/no-such-service":                        404,
	} {
		resp, body := quality.Get(t, path)
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d\n%.300s", path, resp.StatusCode, want, body)
			continue
		}
		if strings.HasPrefix(path, "/api/") && resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s: %s", path, resp.Header.Get("Content-Type"))
		}
		if want == 400 && !strings.HasPrefix(path, "/api/") && !strings.Contains(body, "YYYY-MM") && !strings.Contains(body, "comments") {
			t.Errorf("GET %s: the page does not say what was wrong:\n%s", path, body)
		}
	}
	if strings.Contains(srv.Logs.String(), "server error") {
		t.Errorf("a bad parameter was logged as a server error:\n%s", srv.Logs.String())
	}
}

var stylesheets = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)

func TestDashboards_LinkAPrintStylesheetTheSurveyNeverLoads(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	for _, path := range []string{"/dashboards", "/dashboards/peer-support"} {
		_, body := quality.Get(t, path)
		links := stylesheets.FindAllStringSubmatch(body, -1)
		if len(links) != 2 || !strings.HasPrefix(links[1][1], "/static/dashboards.") {
			t.Fatalf("%s: stylesheets %v", path, links)
		}
		resp, css := srv.Get(t, links[1][1])
		if resp.StatusCode != 200 || !strings.Contains(css, "@media print") || !strings.Contains(css, "size:A4") {
			t.Fatalf("%s: %d\n%s", links[1][1], resp.StatusCode, css)
		}
		if strings.Contains(body, ` style="`) {
			t.Errorf("%s: an inline style, which the CSP refuses", path)
		}
	}
	_, survey := srv.Get(t, "/s/counselling")
	if strings.Contains(survey, "dashboards.") {
		t.Error("the survey page links the dashboards' stylesheet")
	}
}

func TestDashboards_OverviewSetsServicesSideBySide(t *testing.T) {
	srv := newDashboardServer(t)
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	submitAll(t, srv, "counselling", repeat(10, survey.Answers{"fft": {Choice: "good"}})...)
	submitAll(t, srv, "peer-support", repeat(3, survey.Answers{"fft": {Choice: "poor"}})...)
	_, body := quality.Get(t, "/dashboards?from="+nov+"&to="+nov)
	for _, want := range []string{
		`href="/dashboards/counselling?from=` + nov + `&amp;to=` + nov + `"`, `href="/dashboards/peer-support?from=` + nov + `&amp;to=` + nov + `"`,
		"All services", "<td>10</td><td>100%</td><td>0%</td>", novName + " is left out",
		`href="/dashboards/fft-return.csv?from=` + nov + `&amp;to=` + nov + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	// The all-services row adds up published buckets only: peer support's 3 are not in it.
	if !regexp.MustCompile(`All services</th><td>10</td>`).MatchString(body) {
		t.Errorf("all services row:\n%s", body)
	}
	if bytes.Contains([]byte(body), []byte("<td>13</td>")) {
		t.Error("a hidden bucket counted towards the total")
	}
}
