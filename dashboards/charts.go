package dashboards

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/feedback-service/feedback/survey"
)

// Chart is the data behind one chart: what is drawn, what its text alternative
// says and what its CSV holds. A nil value is a hidden point (a month with
// fewer than K responses) and is drawn as a gap.
type Chart struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// Subtitle names the service, the period and n, so a downloaded image
	// stands alone.
	Subtitle string        `json:"subtitle,omitempty"`
	Kind     string        `json:"kind"` // ChartLine or ChartBar
	Unit     string        `json:"unit"`
	Labels   []string      `json:"labels"` // months (YYYY-MM) or answer options
	Series   []ChartSeries `json:"series"`
	YMin     float64       `json:"y_min"`
	YMax     float64       `json:"y_max"` // 0: from the data
	// Note explains the figures, for the text alternative and the data table.
	Note string `json:"note,omitempty"`
	// Hidden lists the labels (months) left out for having fewer than K responses.
	Hidden []string `json:"hidden,omitempty"`
	K      int      `json:"k"`
	// Intervals are the 95% Wilson intervals of the first series' values,
	// where it is a percentage; N is the number each is a percentage of.
	Intervals []*Interval `json:"intervals,omitempty"`
	N         []int64     `json:"n,omitempty"`
	// SPC is the control chart drawn, for a measure: its mean and limits are
	// series too, so the table and CSV carry them.
	SPC *SPC `json:"spc,omitempty"`
	// Target is the lead's target for the measure, drawn as a labelled line.
	Target *float64 `json:"target,omitempty"`
	// YStep is the distance between the Y axis's ticks (0: four steps).
	YStep float64 `json:"y_step,omitempty"`
	// Source and Generated are written at the foot of every image, so a
	// downloaded chart says where and when it came from; Generated is set
	// when the chart is drawn (Dashboards.Chart), from the service's clock.
	Source    string `json:"source"`
	Generated string `json:"generated,omitempty"`
	months    bool   // labels are months
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

// Charts returns every chart of a service's figures: the control charts of
// FFT % positive, responses and the 0–10 score by month (the score if the
// survey has one) and the distribution of answers to every question that is
// not free text.
func Charts(st *ServiceStats) []Chart {
	months := make([]string, len(st.Months))
	for i, m := range st.Months {
		months[i] = m.Month
	}
	subtitle := func(n int64) string {
		return ServiceName(st.Service) + ", " + PeriodName(st.Range) + ", n = " + strconv.FormatInt(n, 10) + " responses"
	}
	source := SourceName(st.Service)
	monthly := func(name, title, unit string) Chart {
		c := Chart{Name: name, Title: title, Subtitle: subtitle(st.Totals.Responses), Kind: ChartLine, Unit: unit,
			Labels: months, Hidden: st.HiddenMonths, K: st.K, months: true, SPC: st.SPC[name], Source: source}
		if c.SPC != nil {
			c.Target = c.SPC.Target
		}
		return c
	}
	fft, responses := fftAndResponses(st,
		monthly(ChartFFT, "FFT % positive by month (p-chart)", "%"), monthly(ChartResponses, "Responses by month (XmR chart)", "responses"))
	charts := []Chart{fitAxis(fft, 0, 100), fitAxis(responses, math.Inf(-1), math.Inf(1))}
	for _, q := range st.Questions {
		if q.Key == st.ScoreQuestion {
			charts = append(charts, fitAxis(scoreChart(q, monthly(ChartScore, "Likelihood to recommend score by month (XmR chart)", "score")), -100, 100))
		}
	}
	for _, q := range st.Questions {
		if q.Kind == survey.Text {
			continue
		}
		c := Chart{Name: questionPrefix + q.Key, Title: q.Short, Subtitle: subtitle(q.Total.Answered), Kind: ChartBar, Unit: "%", K: st.K, Source: source,
			Note: fmt.Sprintf("Each answer as a percentage of the %d responses that answered the question.", q.Total.Answered)}
		if q.Kind == survey.Multiple {
			c.Note += " People could choose more than one, so the percentages add up to more than 100."
		}
		s := ChartSeries{Name: fmt.Sprintf("%% of %d who answered", q.Total.Answered)}
		for i, o := range q.Options {
			c.Labels = append(c.Labels, o.Label)
			s.Values = append(s.Values, percent(q.Total.Counts[i], q.Total.Answered))
			c.Intervals = append(c.Intervals, Wilson(q.Total.Counts[i], q.Total.Answered))
			c.N = append(c.N, q.Total.Answered)
		}
		c.Series = []ChartSeries{s}
		charts = append(charts, c)
	}
	return charts
}

// fftAndResponses fills the control charts of FFT % positive (with each
// month's interval and n) and of responses.
func fftAndResponses(st *ServiceStats, fft, responses Chart) (Chart, Chart) {
	fft.Note = "Positive is very good or good, as a percentage of every answer including don't know. " + spcNote
	responses.Note = spcNote
	pos := ChartSeries{Name: "% positive"}
	resp := ChartSeries{Name: "Responses"}
	for _, m := range st.Months {
		var p, r *float64
		var ci *Interval
		var n int64
		if m.Figures != nil {
			p, r, ci, n = m.Figures.FFT.Positive, num(m.Figures.Responses), m.Figures.FFT.PositiveInterval, m.Figures.FFT.Answers
		}
		fft.Intervals, fft.N = append(fft.Intervals, ci), append(fft.N, n)
		pos.Values = append(pos.Values, p)
		resp.Values = append(resp.Values, r)
	}
	fft.Series = append([]ChartSeries{pos}, spcSeries(fft.SPC, fft.Labels)...)
	responses.Series = append([]ChartSeries{resp}, spcSeries(responses.SPC, responses.Labels)...)
	return fft, responses
}

const spcNote = "The mean and process limits are from the published months shown; a point outside the limits, 7 in a row on one side of the mean, 7 rising or falling, or 2 of 3 near a limit on one side is special cause."

func scoreChart(q QuestionStats, c Chart) Chart {
	c.Note = "The score is the percentage answering 9 or 10 minus the percentage answering 0 to 6, from -100 to 100. " + spcNote
	s := ChartSeries{Name: "Score"}
	for _, m := range q.Months {
		var v *float64
		if m.Figures != nil && m.Figures.Score != nil {
			v = &m.Figures.Score.Score
		}
		s.Values = append(s.Values, v)
	}
	c.Series = append([]ChartSeries{s}, spcSeries(c.SPC, c.Labels)...)
	return c
}

// Names of the control chart's lines, after the measure's own series.
const (
	SeriesMean  = "Mean"
	SeriesUpper = "Upper process limit"
	SeriesLower = "Lower process limit"
)

// spcSeries lays a control chart's mean and limits on the months, with no
// value for a hidden month or where there are too few points for limits.
func spcSeries(spc *SPC, months []string) []ChartSeries {
	if spc == nil {
		return nil
	}
	mean, upper, lower := ChartSeries{Name: SeriesMean}, ChartSeries{Name: SeriesUpper}, ChartSeries{Name: SeriesLower}
	at := map[string]SPCPoint{}
	for _, p := range spc.Points {
		at[p.Month] = p
	}
	for _, m := range months {
		p, ok := at[m]
		if !ok || math.IsNaN(p.Mean) {
			mean.Values, upper.Values, lower.Values = append(mean.Values, nil), append(upper.Values, nil), append(lower.Values, nil)
			continue
		}
		mean.Values = append(mean.Values, rounded(p.Mean))
		upper.Values = append(upper.Values, rounded(p.Upper))
		lower.Values = append(lower.Values, rounded(p.Lower))
	}
	return []ChartSeries{mean, upper, lower}
}

func rounded(v float64) *float64 { r := round1(v); return &r }

// fitAxis fits a line chart's Y axis to what it draws (its values, mean,
// limits and target) with a small margin, on round steps of 1, 2, 2.5 or 5
// times a power of ten, within [floor, ceil], the range the measure can take: a
// 60–90% series is not drawn flat on a 0–100 axis.
func fitAxis(c Chart, floor, ceil float64) Chart {
	lo, hi, ok := valueRange(c.Series)
	if t := c.Target; t != nil {
		lo, hi, ok = min(lo, *t), max(hi, *t), true
	}
	if !ok { // nothing published: the measure's whole range, or 0 to 4
		lo, hi = 0, 4
		if !math.IsInf(floor, 0) {
			lo = floor
		}
		if !math.IsInf(ceil, 0) {
			hi = ceil
		}
	}
	if span := hi - lo; span < minAxisSpan {
		lo, hi = lo-(minAxisSpan-span)/2, hi+(minAxisSpan-span)/2
	}
	margin := (hi - lo) * 0.05
	lo, hi = lo-margin, hi+margin
	step := niceStep((hi - lo) / 5)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	c.YMin, c.YMax, c.YStep = max(lo, floor), min(hi, ceil), step
	return c
}

// minAxisSpan is the least a fitted axis spans, so a flat series is not
// magnified into noise.
const minAxisSpan = 4

// niceStep is the smallest of 1, 2, 2.5 or 5 times a power of ten not
// below raw, and a whole number (at least 1), so every step divides 100.
func niceStep(raw float64) float64 {
	if raw <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= raw && m*p == math.Trunc(m*p) {
			return m * p
		}
	}
	return 10 * p
}

// valueRange is the least and greatest value the series hold; ok is false
// when they hold none.
func valueRange(ss []ChartSeries) (lo, hi float64, ok bool) {
	for _, s := range ss {
		for _, x := range s.Values {
			if x == nil {
				continue
			}
			if !ok {
				lo, hi, ok = *x, *x, true
			}
			lo, hi = min(lo, *x), max(hi, *x)
		}
	}
	return lo, hi, ok
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
	if c.Target != nil {
		b.WriteString(" Target: " + formatValue(*c.Target, c.Unit) + ".")
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

// SourceName is where a service's figures come from, as an image's foot
// says: "Peer support feedback survey".
func SourceName(service string) string { return ServiceName(service) + " feedback survey" }

// ServiceName is how staff pages name a service type: "peer-support" is
// "Peer support". (A survey's title speaks to the person answering it.)
func ServiceName(service string) string {
	s := strings.ReplaceAll(service, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// PeriodName is "Nov 2026" or "Dec 2025 to Nov 2026".
func PeriodName(r Range) string {
	short := func(m string) string {
		t, err := time.Parse(survey.MonthLayout, m)
		if err != nil {
			return m
		}
		return t.Format("Jan 2006")
	}
	if r.From == r.To {
		return short(r.From)
	}
	return short(r.From) + " to " + short(r.To)
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
