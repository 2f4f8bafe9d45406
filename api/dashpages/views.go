package dashpages

import (
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
	web.Page
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
