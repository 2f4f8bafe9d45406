package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// Dashboards: the quality team's view of the survey's published aggregates.
// What is published (whole months, buckets of at least K responses) is decided
// by the dashboards package alone; these handlers read the period, call it and
// render. Strings from the request are cloned before dashboards sees them: it
// keeps ranges and names as keys of its caches, and Fiber reuses its buffers.

// periodNav is the period a dashboard shows, and the quick links to others.
type periodNav struct {
	From, To string // YYYY-MM, for the form
	Label    string // "December 2025 to November 2026"
	Links    []navLink
}

type navLink struct {
	Label, URL string
	Current    bool
}

// chartView is one chart as a page shows it: the image, its text alternative,
// the data table beside it and the downloads.
type chartView struct {
	ID, Title, Note, Hint string
	Alt                   string
	SVG, PNG, CSV         string
	Columns               []string // the label column's heading, then each series
	Rows                  []tableRow
}

type tableRow struct {
	Label  string
	Cells  []string
	Hidden bool
}

// commentMonth is one month's comments on a page.
type commentMonth struct {
	Month    string
	Comments []dashboards.CommentView
}

type overviewPage struct {
	page
	Overview     *dashboards.Overview
	Rows         []overviewRow
	Period       periodNav
	FFTReturnURL string
}

type overviewRow struct {
	dashboards.ServiceSummary
	URL        string
	TrendChart chartView
	Hidden     hiddenNote
}

// hiddenNote says which months are left out of every figure, and why.
type hiddenNote struct {
	Title        string // the service, on a page of several
	HiddenMonths []string
	K            int
}

type servicePage struct {
	page
	Stats          *dashboards.ServiceStats
	Hidden         hiddenNote
	Period         periodNav
	Services       []navLink
	Charts         []chartView
	ExportURL      string
	VersionChanges []string
	Comments       []commentMonth
	MoreComments   string
}

// dashboardRange reads ?from=&to= (YYYY-MM); either left out means the last
// 12 whole months plus this month so far.
func (s *Server) dashboardRange(c fiber.Ctx) (dashboards.Range, error) {
	return dashboards.ParseRange(strings.Clone(c.Query("from")), strings.Clone(c.Query("to")), s.dashboards.Now())
}

// rangeQuery is the query string that names r.
func rangeQuery(r dashboards.Range) string {
	return url.Values{"from": {r.From}, "to": {r.To}}.Encode()
}

// dashboardError answers a dashboard request the domain refused: 404 for a
// service or chart that does not exist, 400 for a malformed period or cursor.
func (s *Server) dashboardError(c fiber.Ctx, err error) error {
	status, heading, message := 0, "", ""
	switch {
	case errors.Is(err, dashboards.ErrUnknownService), errors.Is(err, dashboards.ErrUnknownChart):
		status, heading, message = fiber.StatusNotFound, "Page not found", "There is no dashboard or chart at this address. Start again from the dashboards page."
	case errors.Is(err, dashboards.ErrRange):
		status, heading = fiber.StatusBadRequest, "Choose whole months"
		message = fmt.Sprintf("The period could not be shown: %v. Write months as YYYY-MM, for example 2026-01, with from no later than to, and at most %d months.",
			strings.TrimPrefix(err.Error(), dashboards.ErrRange.Error()+": "), dashboards.MaxMonths)
	case errors.Is(err, dashboards.ErrCursor):
		status, heading, message = fiber.StatusBadRequest, "Page of comments not found", "That link to more comments is not one this page made. Go back to the dashboard and follow its links."
	default:
		return err
	}
	if isAPI(c) {
		return s.problem(c, status, message, nil)
	}
	return s.staffError(c, status, heading, message)
}

func (s *Server) periodNav(base string, r dashboards.Range) periodNav {
	now := s.dashboards.Now()
	nav := periodNav{From: r.From, To: r.To, Label: monthName(r.From) + " to " + monthName(r.To)}
	if r.From == r.To {
		nav.Label = monthName(r.From)
	}
	for _, q := range []struct {
		label  string
		months int
	}{{"This month", 1}, {"Last 3 months and this month", 4}, {"Last 12 months and this month", 13}} {
		lr := dashboards.LastMonths(now, q.months)
		nav.Links = append(nav.Links, navLink{Label: q.label, URL: base + "?" + rangeQuery(lr), Current: lr == r})
	}
	return nav
}

func (s *Server) dashboardsOverview(c fiber.Ctx) error {
	r, err := s.dashboardRange(c)
	if err != nil {
		return s.dashboardError(c, err)
	}
	o, err := s.dashboards.Overview(c.Context(), r)
	if err != nil {
		return s.dashboardError(c, err)
	}
	p := overviewPage{page: s.dashboardPage(c, "Dashboards"), Overview: o, Period: s.periodNav("/dashboards", r),
		FFTReturnURL: "/dashboards/fft-return.csv?" + rangeQuery(r)}
	for _, row := range o.Services {
		st, err := s.dashboards.Service(c.Context(), row.Service, r)
		if err != nil {
			return s.dashboardError(c, err)
		}
		trend, _ := dashboards.ChartByName(st, dashboards.ChartFFT)
		trendView := newChartView(st, trend, "")
		row.Title = serviceName(row.Service)
		trendView.Title = row.Title + ": " + trend.Title
		p.Rows = append(p.Rows, overviewRow{
			ServiceSummary: row, URL: "/dashboards/" + row.Service + "?" + rangeQuery(r),
			TrendChart: trendView, Hidden: hiddenNote{row.Title, row.HiddenMonths, o.K},
		})
	}
	return s.render(c, fiber.StatusOK, "dashboards", p)
}

func (s *Server) dashboardService(c fiber.Ctx) error {
	service := strings.Clone(c.Params("service"))
	r, err := s.dashboardRange(c)
	if err != nil {
		return s.dashboardError(c, err)
	}
	st, err := s.dashboards.Service(c.Context(), service, r)
	if err != nil {
		return s.dashboardError(c, err)
	}
	comments, err := s.dashboards.Comments(c.Context(), service, r, strings.Clone(c.Query("comments")), dashboards.DefaultCommentLimit)
	if err != nil {
		return s.dashboardError(c, err)
	}
	base := "/dashboards/" + service
	p := servicePage{
		page: s.dashboardPage(c, serviceName(service)), Stats: st, Period: s.periodNav(base, r),
		Hidden:    hiddenNote{HiddenMonths: st.HiddenMonths, K: st.K},
		ExportURL: base + "/export.csv?" + rangeQuery(r),
	}
	for _, other := range s.dashboards.Services() {
		p.Services = append(p.Services, navLink{Label: serviceName(other), URL: "/dashboards/" + other + "?" + rangeQuery(r), Current: other == service})
	}
	scope := map[string]string{}
	for _, q := range st.Questions {
		if q.Scope == dashboards.ScopeVersion {
			scope["question-"+q.Key] = "This question was asked differently in other versions of the survey: only answers to this wording are counted, from months where that version had at least " + strconv.Itoa(st.K) + " responses."
		}
	}
	for _, ch := range dashboards.Charts(st) {
		p.Charts = append(p.Charts, newChartView(st, ch, scope[ch.Name]))
	}
	for _, m := range st.Months {
		if m.VersionChange {
			p.VersionChanges = append(p.VersionChanges, monthName(m.Month))
		}
	}
	for _, cm := range comments.Comments {
		if n := len(p.Comments); n == 0 || p.Comments[n-1].Month != cm.Month {
			p.Comments = append(p.Comments, commentMonth{Month: cm.Month})
		}
		last := &p.Comments[len(p.Comments)-1]
		last.Comments = append(last.Comments, cm)
	}
	if comments.Next != "" {
		q := url.Values{"from": {r.From}, "to": {r.To}, "comments": {comments.Next}}
		p.MoreComments = base + "?" + q.Encode() + "#comments"
	}
	return s.render(c, fiber.StatusOK, "dashboard", p)
}

// dashboardChart serves /dashboards/{service}/charts/{chart}.svg (for the
// page), .png (a download, drawn at twice the size) or .csv (its figures).
func (s *Server) dashboardChart(c fiber.Ctx) error {
	service := strings.Clone(c.Params("service"))
	name, ext, ok := cutLast(strings.Clone(c.Params("chart")), ".")
	if !ok {
		return s.dashboardError(c, dashboards.ErrUnknownChart)
	}
	r, err := s.dashboardRange(c)
	if err != nil {
		return s.dashboardError(c, err)
	}
	filename := downloadName(service, name, r, ext)
	switch ext {
	case "svg", "png":
		f := dashboards.Format(ext)
		b, err := s.dashboards.Chart(c.Context(), service, r, name, f)
		if err != nil {
			return s.dashboardError(c, err)
		}
		c.Set(fiber.HeaderContentType, f.ContentType())
		if f == dashboards.PNG {
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
		}
		return c.Send(b)
	case "csv":
		st, err := s.dashboards.Service(c.Context(), service, r)
		if err != nil {
			return s.dashboardError(c, err)
		}
		ch, ok := dashboards.ChartByName(st, name)
		if !ok {
			return s.dashboardError(c, dashboards.ErrUnknownChart)
		}
		var b bytes.Buffer
		if err := dashboards.WriteChartCSV(&b, ch); err != nil {
			return err
		}
		return sendCSV(c, filename, b.Bytes())
	}
	return s.dashboardError(c, dashboards.ErrUnknownChart)
}

// dashboardExport is the CSV of the figures behind every chart of a service.
func (s *Server) dashboardExport(c fiber.Ctx) error {
	service := strings.Clone(c.Params("service"))
	r, err := s.dashboardRange(c)
	if err != nil {
		return s.dashboardError(c, err)
	}
	st, err := s.dashboards.Service(c.Context(), service, r)
	if err != nil {
		return s.dashboardError(c, err)
	}
	var b bytes.Buffer
	if err := dashboards.WriteChartsCSV(&b, st); err != nil {
		return err
	}
	return sendCSV(c, downloadName(service, "charts", r, "csv"), b.Bytes())
}

// dashboardsFFTReturn is the monthly Friends and Family Test return for every
// service, in the shape NHS England collects.
func (s *Server) dashboardsFFTReturn(c fiber.Ctx) error {
	r, err := s.dashboardRange(c)
	if err != nil {
		return s.dashboardError(c, err)
	}
	var b bytes.Buffer
	if err := s.dashboards.WriteFFTReturn(c.Context(), &b, r, ""); err != nil {
		return s.dashboardError(c, err)
	}
	return sendCSV(c, downloadName("fft-return", "", r, "csv"), b.Bytes())
}

// apiStats is GET /api/v1/stats/{service}: the published aggregates as JSON,
// hidden months marked hidden and carrying no figures.
func (s *Server) apiStats(c fiber.Ctx) error {
	r, err := s.dashboardRange(c)
	if err != nil {
		return s.dashboardError(c, err)
	}
	st, err := s.dashboards.Service(c.Context(), strings.Clone(c.Params("service")), r)
	if err != nil {
		return s.dashboardError(c, err)
	}
	return c.JSON(st)
}

func sendCSV(c fiber.Ctx, filename string, body []byte) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.Send(body)
}

// downloadName is a file name like counselling-fft-2025-12-to-2026-11.png,
// made of the known service and chart names (checked before it is sent).
func downloadName(service, chart string, r dashboards.Range, ext string) string {
	parts := []string{service}
	if chart != "" {
		parts = append(parts, chart)
	}
	name := strings.Join(parts, "-") + "-" + r.From + "-to-" + r.To + "." + ext
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, name)
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// newChartView lays out a chart with its text alternative and data table.
func newChartView(st *dashboards.ServiceStats, ch dashboards.Chart, hint string) chartView {
	base := "/dashboards/" + st.Service + "/charts/" + ch.Name
	q := "?" + rangeQuery(st.Range)
	v := chartView{
		ID: "chart-" + st.Service + "-" + ch.Name, Title: ch.Title, Note: ch.Note, Hint: hint, Alt: ch.Alt(),
		SVG: base + ".svg" + q, PNG: base + ".png" + q, CSV: base + ".csv" + q,
	}
	first := "Answer"
	if len(ch.Labels) > 0 && isMonth(ch.Labels[0]) {
		first = "Month"
	}
	v.Columns = append(v.Columns, first)
	for _, sr := range ch.Series {
		v.Columns = append(v.Columns, sr.Name)
	}
	for i, l := range ch.Labels {
		row := tableRow{Label: l}
		if isMonth(l) {
			row.Label = monthName(l)
		}
		for _, sr := range ch.Series {
			val := sr.Values[i]
			if val == nil {
				row.Hidden = true
				row.Cells = append(row.Cells, "fewer than "+strconv.Itoa(ch.K)+" responses")
				continue
			}
			cell := strconv.FormatFloat(*val, 'f', -1, 64)
			if ch.Unit == "%" {
				cell += "%"
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func isMonth(s string) bool {
	t, err := time.Parse(survey.MonthLayout, s)
	return err == nil && survey.Month(t) == s
}

// serviceName is how staff pages name a service type: "peer-support" is
// "Peer support". (A survey's title speaks to the person answering it.)
func serviceName(service string) string {
	s := strings.ReplaceAll(service, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// monthName turns "2026-01" into "January 2026".
func monthName(m string) string {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return m
	}
	return t.Format("January 2006")
}

// dashboardPage is staffPage with the dashboards' own stylesheet, which only
// these pages load (the survey's first load stays small).
func (s *Server) dashboardPage(c fiber.Ctx, title string) page {
	p := s.staffPage(c, title)
	p.PageCSS = s.pages.dashCSS
	return p
}

// Template helpers for figures that may be absent.

func percentText(p *float64) string {
	if p == nil {
		return "–"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64) + "%"
}

func scoreText(sc *dashboards.Score) string {
	if sc == nil {
		return "–"
	}
	return strconv.FormatFloat(sc.Score, 'f', -1, 64)
}

// countText writes a count with thousands separators: 12,345.
func countText(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
