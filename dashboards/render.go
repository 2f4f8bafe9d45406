package dashboards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"math"
	"sync"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Format is a rendered chart's file format.
type Format string

// Chart formats: SVG for pages, PNG for download (drawn at twice the size).
const (
	SVG Format = "svg"
	PNG Format = "png"
)

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == PNG {
		return "image/png"
	}
	return "image/svg+xml"
}

// ErrUnknownChart means a service has no chart of that name or format.
var ErrUnknownChart = errors.New("no such chart")

// The Okabe–Ito palette, distinguishable with the common colour-vision
// deficiencies; lines also differ in dash so colour is never the only cue.
var palette = []drawing.Color{
	drawing.ColorFromHex("0072B2"), // blue
	drawing.ColorFromHex("D55E00"), // vermillion
	drawing.ColorFromHex("009E73"), // bluish green
	drawing.ColorFromHex("E69F00"), // orange
	drawing.ColorFromHex("CC79A7"), // reddish purple
	drawing.ColorFromHex("56B4E9"), // sky blue
}

var (
	ink      = drawing.ColorFromHex("222222")
	gridInk  = drawing.ColorFromHex("DDDDDD")
	dashes   = [][]float64{nil, {6, 4}, {2, 3}}
	baseSize = struct{ w, h int }{400, 320} // scales down to a phone's width legibly
)

// Chart renders one chart of a service over r, from a cache keyed by service,
// range, chart, format and the counters' version: drawing costs milliseconds
// and megabytes, so a chart is drawn once per change of the counters.
func (d *Dashboards) Chart(ctx context.Context, service string, r Range, name string, f Format) ([]byte, error) {
	if f != SVG && f != PNG {
		return nil, fmt.Errorf("%w: format %q", ErrUnknownChart, f)
	}
	st, err := d.Service(ctx, service, r)
	if err != nil {
		return nil, err
	}
	generated := d.Now().Format("2 January 2006")
	key := chartKey{service, r, name, f, st.countersVersion, generated}
	if b, ok := d.charts.get(key); ok {
		return b, nil
	}
	c, ok := ChartByName(st, name)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownChart, name)
	}
	c.Generated = generated
	b, err := Render(c, f)
	if err != nil {
		return nil, err
	}
	d.charts.put(key, b)
	return b, nil
}

type chartKey struct {
	service string
	r       Range
	name    string
	format  Format
	version string
	// generated is the day written at the image's foot.
	generated string
}

// chartCache keeps rendered charts; it is emptied whole when it grows large,
// which old counters' versions make it do.
type chartCache struct {
	mu sync.Mutex
	m  map[chartKey][]byte
}

const maxCachedCharts = 2000

func newChartCache() *chartCache { return &chartCache{m: map[chartKey][]byte{}} }

func (c *chartCache) get(k chartKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[k]
	return b, ok
}

func (c *chartCache) put(k chartKey, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedCharts {
		clear(c.m)
	}
	c.m[k] = b
}

// Render draws a chart as SVG or PNG.
func Render(c Chart, f Format) ([]byte, error) {
	scale := 1.0
	provider := chart.SVG
	text := html.EscapeString // the SVG renderer writes text unescaped
	if f == PNG {
		scale, provider, text = 2, chart.PNG, func(s string) string { return s }
	}
	var buf bytes.Buffer
	var err error
	if c.Kind == ChartBar {
		err = barChart(c, scale, text).Render(provider, &buf)
	} else {
		err = lineChart(c, scale, text).Render(provider, &buf)
	}
	if err != nil {
		return nil, fmt.Errorf("render chart %s: %w", c.Name, err)
	}
	return buf.Bytes(), nil
}

func px(v float64, scale float64) int { return int(v*scale + 0.5) }

// maxMonthTicks is how many month labels an axis carries at most: at 9 point
// a label like "Nov 25" is about 45 pixels wide as drawn, so 6 fit the plot with room
// between them, and labels never collide.
const maxMonthTicks = 6

// tickLabels labels every month with its short name and year ("Nov 25"), or
// every second or third month when there are more than maxMonthTicks. A
// hidden month is a gap in the line, said in the legend.
func tickLabels(c Chart, text func(string) string) []string {
	every := 1
	if c.months && len(c.Labels) > maxMonthTicks {
		every = (len(c.Labels) + maxMonthTicks - 1) / maxMonthTicks
	}
	out := make([]string, len(c.Labels))
	for i, l := range c.Labels {
		switch {
		case !c.months:
			out[i] = text(l)
		case (len(c.Labels)-1-i)%every == 0: // the latest month is always labelled
			out[i] = monthTick(l, true)
		}
	}
	return out
}

func lineChart(c Chart, scale float64, text func(string) string) chart.Chart {
	labels := tickLabels(c, text)
	if len(labels) == 0 {
		// A period with no published month yet: empty axes over one blank month.
		labels = []string{""}
	}
	// Unlabelled ticks half a month beyond each end keep the first and last
	// points off the edges (go-chart takes the X range from the ticks).
	ticks := []chart.Tick{{Value: -0.5}}
	for i, l := range labels {
		ticks = append(ticks, chart.Tick{Value: float64(i), Label: l})
	}
	ticks = append(ticks, chart.Tick{Value: float64(len(labels)) - 0.5})
	var series []chart.Series
	for si, s := range c.Series {
		style := seriesStyle(c, si, scale)
		// A hidden month is a gap: each run of shown months is its own line.
		var xs, ys []float64
		flush := func() {
			if len(xs) > 0 {
				series = append(series, chart.ContinuousSeries{Style: style, YAxis: chart.YAxisSecondary, XValues: xs, YValues: ys})
			}
			xs, ys = nil, nil
		}
		for i, v := range s.Values {
			if v == nil {
				flush()
				continue
			}
			xs, ys = append(xs, float64(i)), append(ys, *v)
		}
		flush()
	}
	series = append(series, specialCauseDots(c, scale)...)
	if c.Target != nil {
		series = append(series, chart.ContinuousSeries{Style: targetStyle(scale), YAxis: chart.YAxisSecondary,
			XValues: []float64{-0.5, float64(len(c.Labels)) - 0.5}, YValues: []float64{*c.Target, *c.Target}})
	}
	if len(series) == 0 {
		// Nothing is published: draw the empty axes.
		series = append(series, chart.ContinuousSeries{Style: chart.Style{StrokeColor: drawing.ColorTransparent, StrokeWidth: 0.01}, YAxis: chart.YAxisSecondary, XValues: []float64{0, 1}, YValues: []float64{c.YMin, c.YMax}})
	}
	font := 9 * scale
	return chart.Chart{
		Width: px(float64(baseSize.w), scale), Height: px(float64(baseSize.h), scale),
		Background: chart.Style{Padding: chart.Box{Top: topPadding(c, scale), Left: px(8, scale), Right: px(8, scale), Bottom: px(8+footHeight, scale)}},
		XAxis: chart.XAxis{
			Style: chart.Style{FontSize: font, FontColor: ink, StrokeColor: ink},
			Range: &chart.ContinuousRange{Min: -0.5, Max: float64(len(c.Labels)) - 0.5},
			Ticks: ticks,
		},
		// The Y axis is on the left, as in Making Data Count's charts: every
		// series is drawn against the "secondary" axis, and the primary is
		// hidden. go-chart reads the secondary's range from the primary's
		// ticks, so both have them.
		YAxis: chart.YAxis{Style: chart.Style{Hidden: true}, Range: &chart.ContinuousRange{Min: c.YMin, Max: c.YMax},
			Ticks: yTicks(c.YMin, c.YMax, c.YStep, c.Unit)},
		YAxisSecondary: chart.YAxis{
			Style:          chart.Style{FontSize: font, FontColor: ink, StrokeColor: ink},
			Range:          &chart.ContinuousRange{Min: c.YMin, Max: c.YMax},
			Ticks:          yTicks(c.YMin, c.YMax, c.YStep, c.Unit),
			GridMajorStyle: chart.Style{StrokeColor: gridInk, StrokeWidth: 1},
			GridLines:      gridLines(c.YMin, c.YMax, c.YStep),
		},
		Series:   series,
		Elements: []chart.Renderable{header(c, scale, text), targetLabel(c, scale, text), foot(c, scale, text)},
	}
}

func barChart(c Chart, scale float64, text func(string) string) chart.BarChart {
	labels := tickLabels(c, text)
	var top float64
	bars := make([]chart.Value, len(labels))
	for i, l := range labels {
		bars[i] = chart.Value{Label: l, Style: chart.Style{FillColor: drawing.ColorTransparent, StrokeColor: drawing.ColorTransparent}}
		if v := c.Series[0].Values[i]; v != nil {
			bars[i].Style = chart.Style{FillColor: palette[0], StrokeColor: palette[0]}
			bars[i].Value = *v
			top = max(top, *v)
		}
	}
	if len(bars) == 0 {
		// A period with no published month yet: one empty bar.
		bars = []chart.Value{{Label: "", Style: chart.Style{FillColor: drawing.ColorTransparent, StrokeColor: drawing.ColorTransparent}}}
	}
	// The Y axis starts at 0 always, so bar heights compare truthfully.
	if top == 0 {
		top = 10
	}
	font := 9 * scale
	bottom := px(14+footHeight, scale)
	wrap := chart.TextWrapNone
	if !c.months {
		wrap = chart.TextWrapWord
		font = 8 * scale
		bottom = px(30+footHeight, scale) // room for answer labels wrapped onto lines
	}
	top = niceCeiling(top)
	w, h := px(float64(baseSize.w), scale), px(float64(baseSize.h), scale)
	n := max(len(bars), 1)
	barWidth := (w - px(70, scale)) / n * 6 / 10
	return chart.BarChart{
		Width: w, Height: h,
		Background: chart.Style{Padding: chart.Box{Top: topPadding(c, scale), Left: px(8, scale), Right: px(8, scale), Bottom: bottom}},
		BarWidth:   barWidth,
		BarSpacing: barWidth * 2 / 3,
		XAxis:      chart.Style{FontSize: font, FontColor: ink, StrokeColor: ink, TextWrap: wrap},
		YAxis: chart.YAxis{
			Style: chart.Style{FontSize: 9 * scale, FontColor: ink, StrokeColor: ink},
			Range: &chart.ContinuousRange{Min: 0, Max: top},
			Ticks: yTicks(0, top, 0, c.Unit),
		},
		Bars:     bars,
		Elements: []chart.Renderable{header(c, scale, text), foot(c, scale, text)},
	}
}

// niceCeiling rounds a bar chart's top up to a whole number of steps of 1,
// 2 or 5 times a power of ten, about four of them.
func niceCeiling(v float64) float64 {
	if v <= 4 {
		return 4
	}
	raw := v / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	return math.Ceil(v/step) * step
}

// yTicks divides [lo, hi] into steps of step, or when step is 0 into four
// steps (or whole-number steps when the range is a bar chart's nice
// ceiling). A percentage's labels carry "%".
func yTicks(lo, hi, step float64, unit string) []chart.Tick {
	n := 4
	if step > 0 {
		n = int(math.Round((hi - lo) / step))
	} else {
		for _, k := range []int{4, 5, 3, 6, 2} {
			if s := (hi - lo) / float64(k); s == math.Trunc(s) {
				n = k
				break
			}
		}
	}
	var ticks []chart.Tick
	for i := 0; i <= n; i++ {
		v := lo + (hi-lo)*float64(i)/float64(max(n, 1))
		ticks = append(ticks, chart.Tick{Value: v, Label: formatValue(v, unit)})
	}
	return ticks
}

func gridLines(lo, hi, step float64) []chart.GridLine {
	var lines []chart.GridLine
	for _, t := range yTicks(lo, hi, step, "") {
		lines = append(lines, chart.GridLine{Value: t.Value})
	}
	return lines
}

func scaled(d []float64, s float64) []float64 {
	if d == nil {
		return nil
	}
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = v * s
	}
	return out
}
