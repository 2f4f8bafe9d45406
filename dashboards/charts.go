package dashboards

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/feedback-service/feedback/survey"
)

// Chart is the data behind one chart: what is drawn, what its text alternative
// says and what its CSV holds. A nil value is a hidden point (a month with
// fewer than K responses) and is drawn as a gap.
type Chart struct {
	Name   string        `json:"name"`
	Title  string        `json:"title"`
	Kind   string        `json:"kind"` // ChartLine or ChartBar
	Unit   string        `json:"unit"`
	Labels []string      `json:"labels"` // months (YYYY-MM) or answer options
	Series []ChartSeries `json:"series"`
	YMin   float64       `json:"y_min"`
	YMax   float64       `json:"y_max"` // 0: from the data
	// Note explains the figures, for the text alternative and the data table.
	Note string `json:"note,omitempty"`
	// Hidden lists the labels (months) left out for having fewer than K responses.
	Hidden []string `json:"hidden,omitempty"`
	K      int      `json:"k"`
	months bool     // labels are months
}

// ChartSeries is one line or set of bars.
type ChartSeries struct {
	Name   string     `json:"name"`
	Values []*float64 `json:"values"`
}

// Chart kinds.
const (
	ChartLine = "line"
	ChartBar  = "bar"
)

// Names of the charts every service has; each question's distribution is
// "question-" plus the question's key.
const (
	ChartFFT       = "fft"
	ChartResponses = "responses"
	ChartScore     = "score"
	questionPrefix = "question-"
)

// Charts returns every chart of a service's figures: FFT by month, responses
// by month, the 0–10 score by month (if the survey has one) and the
// distribution of answers to every question that is not free text.
func Charts(st *ServiceStats) []Chart {
	months := make([]string, len(st.Months))
	for i, m := range st.Months {
		months[i] = m.Month
	}
	monthly := func(name, title, kind, unit string) Chart {
		return Chart{Name: name, Title: title, Kind: kind, Unit: unit, Labels: months, Hidden: st.HiddenMonths, K: st.K, months: true}
	}
	fft := monthly(ChartFFT, "Friends and Family Test by month", ChartLine, "%")
	fft.YMax = 100
	fft.Note = "Positive is very good or good, negative is poor or very poor, each as a percentage of every answer including don't know."
	pos := ChartSeries{Name: "% positive"}
	neg := ChartSeries{Name: "% negative"}
	responses := monthly(ChartResponses, "Responses by month", ChartBar, "responses")
	resp := ChartSeries{Name: "Responses"}
	for _, m := range st.Months {
		var p, n, r *float64
		if m.Figures != nil {
			p, n, r = m.Figures.FFT.Positive, m.Figures.FFT.Negative, num(m.Figures.Responses)
		}
		pos.Values = append(pos.Values, p)
		neg.Values = append(neg.Values, n)
		resp.Values = append(resp.Values, r)
	}
	fft.Series = []ChartSeries{pos, neg}
	responses.Series = []ChartSeries{resp}
	charts := []Chart{fft, responses}

	for _, q := range st.Questions {
		if q.Key == st.ScoreQuestion {
			score := monthly(ChartScore, "Likelihood to recommend: score by month", ChartLine, "score")
			score.YMin, score.YMax = -100, 100
			score.Note = "The score is the percentage answering 9 or 10 minus the percentage answering 0 to 6, from -100 to 100."
			s := ChartSeries{Name: "Score"}
			for _, m := range q.Months {
				var v *float64
				if m.Figures != nil && m.Figures.Score != nil {
					v = &m.Figures.Score.Score
				}
				s.Values = append(s.Values, v)
			}
			score.Series = []ChartSeries{s}
			charts = append(charts, score)
		}
	}
	for _, q := range st.Questions {
		if q.Kind == survey.Text {
			continue
		}
		c := Chart{Name: questionPrefix + q.Key, Title: q.Short, Kind: ChartBar, Unit: "answers", K: st.K}
		s := ChartSeries{Name: fmt.Sprintf("Answers (%d responses answered)", q.Total.Answered)}
		for i, o := range q.Options {
			c.Labels = append(c.Labels, o.Label)
			s.Values = append(s.Values, num(q.Total.Counts[i]))
		}
		c.Series = []ChartSeries{s}
		charts = append(charts, c)
	}
	return charts
}

// ChartByName returns one of a service's charts.
func ChartByName(st *ServiceStats, name string) (Chart, bool) {
	for _, c := range Charts(st) {
		if c.Name == name {
			return c, true
		}
	}
	return Chart{}, false
}

func num(n int64) *float64 { f := float64(n); return &f }

// Alt is the chart's text alternative: every value it shows, in words.
func (c Chart) Alt() string {
	var b strings.Builder
	kind := "Bar chart"
	if c.Kind == ChartLine {
		kind = "Line chart"
	}
	fmt.Fprintf(&b, "%s: %s", kind, c.Title)
	if c.months && len(c.Labels) > 0 {
		fmt.Fprintf(&b, ", %s to %s", monthName(c.Labels[0]), monthName(c.Labels[len(c.Labels)-1]))
	}
	b.WriteString(".")
	if c.Note != "" {
		b.WriteString(" " + c.Note)
	}
	for _, s := range c.Series {
		fmt.Fprintf(&b, " %s: ", s.Name)
		for i, v := range s.Values {
			if i > 0 {
				b.WriteString("; ")
			}
			label := c.Labels[i]
			if c.months {
				label = monthName(label)
			}
			if v == nil {
				fmt.Fprintf(&b, "%s not shown (fewer than %d responses)", label, c.K)
			} else {
				fmt.Fprintf(&b, "%s %s", label, formatValue(*v, c.Unit))
			}
		}
		b.WriteString(".")
	}
	return b.String()
}

func formatValue(v float64, unit string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if unit == "%" {
		return s + "%"
	}
	return s
}

// monthName turns "2026-01" into "January 2026".
func monthName(m string) string {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return m
	}
	return t.Format("January 2006")
}

// monthTick turns "2026-01" into a short axis label, "Jan" (or "Jan 26").
func monthTick(m string, withYear bool) string {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return m
	}
	if withYear {
		return t.Format("Jan 06")
	}
	return t.Format("Jan")
}
