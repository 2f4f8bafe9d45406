package dashpages

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// Typed view models of the dashboard pages, and the template helpers for
// figures that may be absent.

// periodNav is the period a dashboard shows, and the quick links to others.
type periodNav struct {
	From, To string // YYYY-MM, for the form
	Label    string // "December 2025 to November 2026"
	Links    []navLink
	// Publication says when this month's figures will appear.
	Publication string
	// Sources switch between verified and open responses; Open is the view's.
	Sources []navLink
	Open    bool
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
	SPC                   *spcView
	// SmallNote explains the asterisk on an interval of fewer than 50 answers.
	SmallNote string
}

type tableRow struct {
	Label  string
	Cells  []string
	Hidden bool
	Span   int // a hidden row's one cell spans every column
}

// commentMonth is one month's comments on a page.
type commentMonth struct {
	Month    string
	Comments []dashboards.CommentView
}

type overviewPage struct {
	web.Page
	Overview     *dashboards.Overview
	Rows         []overviewRow
	Period       periodNav
	FFTReturnURL string
	// OrganisationCode is the ODS code the return names; empty, the page
	// warns and names the setting.
	OrganisationCode string
	Subscribed       bool // the lead gets an e-mail when a month is published
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
	web.Page
	Stats          *dashboards.ServiceStats
	Hidden         hiddenNote
	Period         periodNav
	Services       []navLink
	Charts         []chartView
	ExportURL      string
	VersionChanges []string
	Comments       []commentMonth
	MoreComments   string
	Compare        *compareView
	Workbench      workbenchView
	// Tally counts the comments that spoke of risk and those awaiting a
	// moderator; Risk are the ones to read first, with the Guidance.
	Tally    dashboards.CommentTally
	Risk     []dashboards.CommentView
	Guidance []string
}

// compareView is the period shown beside the one before and a year before.
type compareView struct {
	Rows []compareRow
}

type compareRow struct {
	Name string
	dashboards.Period
	K int
}

// NotShown says which of the row's months show no figures, and why: a month
// the survey was not running had no responses; of a month it was, the page
// says only that it had fewer than K (none is fewer than K too).
func (r compareRow) NotShown() string {
	var parts []string
	if r.NotRunning > 0 {
		parts = append(parts, monthsText(r.NotRunning)+" with no responses (the survey was not running)")
	}
	if r.Hidden > 0 {
		parts = append(parts, monthsText(r.Hidden)+" hidden: fewer than "+strconv.Itoa(r.K)+" responses")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func monthsText(n int) string {
	if n == 1 {
		return "1 month"
	}
	return strconv.Itoa(n) + " months"
}

func newCompareView(c *dashboards.Comparison, k int) *compareView {
	if c.Previous.Range == c.LastYear.Range {
		return &compareView{Rows: []compareRow{{"This period", c.Current, k}, {"Same months a year earlier", c.LastYear, k}}}
	}
	return &compareView{Rows: []compareRow{{"This period", c.Current, k}, {"Period before", c.Previous, k}, {"Same months a year earlier", c.LastYear, k}}}
}

// intervalRange writes a 95% interval: "62.1–81%".
func intervalRange(ci *dashboards.Interval) string {
	if ci == nil {
		return "–"
	}
	return strconv.FormatFloat(ci.Low, 'f', -1, 64) + "–" + strconv.FormatFloat(ci.High, 'f', -1, 64) + "%"
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
	if ch.Intervals != nil {
		v.Columns = append(v.Columns, "95% interval (n)")
	}
	signals := map[string]dashboards.SPCPoint{}
	if ch.SPC != nil {
		v.Columns = append(v.Columns, "Signal")
		for _, p := range ch.SPC.Points {
			signals[p.Month] = p
		}
		v.SPC = newSPCView(st.Service, ch)
	}
	for i, l := range ch.Labels {
		v.Rows = append(v.Rows, tableRowOf(ch, i, l, signals))
		if ch.Intervals != nil && ch.Intervals[i] != nil && ch.N[i] < dashboards.SmallSample {
			v.SmallNote = "* Fewer than " + strconv.Itoa(dashboards.SmallSample) + " answers: a small sample, whose percentage can move a long way by chance. Read it with care."
		}
	}
	return v
}

// tableRowOf is one row of a chart's table: a value per series, the interval
// and the SPC signal where the chart has them. A hidden month says so in
// every cell rather than showing a number.
func tableRowOf(ch dashboards.Chart, i int, l string, signals map[string]dashboards.SPCPoint) tableRow {
	row := tableRow{Label: l}
	if isMonth(l) {
		row.Label = monthName(l)
	}
	if slices.Contains(ch.Hidden, l) {
		row.Hidden = true
		row.Cells = []string{"not published: fewer than " + strconv.Itoa(ch.K) + " responses"}
		row.Span = len(ch.Series) + 1
		if ch.Intervals == nil {
			row.Span--
		}
		if ch.SPC != nil {
			row.Span++
		}
		return row
	}
	for _, sr := range ch.Series {
		val := sr.Values[i]
		if val == nil {
			row.Cells = append(row.Cells, "–")
			continue
		}
		cell := strconv.FormatFloat(*val, 'f', -1, 64)
		if ch.Unit == "%" {
			cell += "%"
		}
		row.Cells = append(row.Cells, cell)
	}
	if ch.Intervals != nil {
		row.Cells = append(row.Cells, intervalText(ch.Intervals[i], ch.N[i]))
	}
	if ch.SPC != nil {
		p, ok := signals[l]
		cell := "–"
		if ok {
			cell = p.Signal
			if p.Rule != "" {
				cell += " (" + p.Rule + ")"
			}
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}

// intervalText is "62.1–81% (n = 45)", with a warning under 50.
func intervalText(ci *dashboards.Interval, n int64) string {
	if ci == nil {
		return "–"
	}
	s := strconv.FormatFloat(ci.Low, 'f', -1, 64) + "–" + strconv.FormatFloat(ci.High, 'f', -1, 64) + "% (n = " + countText(n) + ")"
	if n < dashboards.SmallSample {
		s += "*"
	}
	return s
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
// commentsText is "1 comment" or "3 comments".
func commentsText(n int) string {
	if n == 1 {
		return "1 comment"
	}
	return countText(int64(n)) + " comments"
}

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
