package dashboards

import (
	"math"
	"strings"
	"testing"

	chart "github.com/wcharczuk/go-chart/v2"
)

// Month labels never collide at the default size: at most maxMonthTicks are
// written, and the gap between two written labels is wider than the widest
// label ("Nov 25") with room to spare, for every length of range.
func TestTickLabels_NeverCollideAtTheDefaultSize(t *testing.T) {
	r, err := chart.PNG(baseSize.w, baseSize.h)
	if err != nil {
		t.Fatal(err)
	}
	font, err := chart.GetDefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	r.SetFont(font)
	r.SetFontSize(9)
	widest := r.MeasureText("May 26").Width()
	for _, l := range []string{"Nov 25", "Dec 25", "Jan 26", "Mar 26"} {
		widest = max(widest, r.MeasureText(l).Width())
	}
	// The plot is the canvas less its padding and the Y axis's labels.
	plot := float64(baseSize.w - 16 - 30)
	for n := 1; n <= MaxMonths; n++ {
		c := Chart{Labels: Range{From: "2021-12", To: "2026-11"}.Months()[:n], months: true}
		labels := tickLabels(c, func(s string) string { return s })
		last, written := -1, 0
		for i, l := range labels {
			if l == "" {
				continue
			}
			written++
			if last >= 0 {
				if gap := plot / float64(n) * float64(i-last); gap < float64(widest)+8 {
					t.Errorf("%d months: labels %q and %q are %.0f px apart, the widest is %d px", n, labels[last], l, gap, widest)
				}
			}
			last = i
		}
		if written > maxMonthTicks || labels[n-1] == "" {
			t.Errorf("%d months: %d labels, latest %q", n, written, labels[n-1])
		}
	}
}

// The Y axis fits what the chart draws: a 60–90% series with limits from 55
// to 95 is not drawn on 0–100, every value, limit and target lies on the
// axis, the ticks are round and carry "%".
func TestFitAxis_FitsValuesLimitsAndTarget(t *testing.T) {
	v := func(xs ...float64) []*float64 {
		out := make([]*float64, len(xs))
		for i := range xs {
			out[i] = &xs[i]
		}
		return out
	}
	cases := []struct {
		name           string
		series         []ChartSeries
		target         *float64
		floor, ceil    float64
		wantLo, wantHi float64
	}{
		{"fft 60–90", []ChartSeries{{Values: v(62, 75, 88, 60, 90)}, {Values: v(55, 55, 55, 55, 55)}, {Values: v(95, 95, 95, 95, 95)}}, nil, 0, 100, 50, 100},
		{"target below the data", []ChartSeries{{Values: v(62, 75, 88)}}, ptr(40), 0, 100, 20, 100},
		{"flat", []ChartSeries{{Values: append(v(80, 80), nil, ptr(80))}}, nil, 0, 100, 77, 83},
		{"responses", []ChartSeries{{Values: v(310, 290, 340)}, {Values: v(-20, -20, -20)}}, nil, math.Inf(-1), math.Inf(1), -100, 400},
		{"nothing published", []ChartSeries{{Values: v()}}, nil, -100, 100, -100, 100},
	}
	for _, tc := range cases {
		c := fitAxis(Chart{Unit: "%", Series: tc.series, Target: tc.target}, tc.floor, tc.ceil)
		if c.YMin != tc.wantLo || c.YMax != tc.wantHi {
			t.Errorf("%s: axis %v to %v (step %v), want %v to %v", tc.name, c.YMin, c.YMax, c.YStep, tc.wantLo, tc.wantHi)
		}
		lo, hi, _ := valueRange(c.Series)
		if tc.target != nil {
			lo = min(lo, *tc.target)
		}
		if lo < c.YMin || hi > c.YMax {
			t.Errorf("%s: values %v to %v off the axis %v to %v", tc.name, lo, hi, c.YMin, c.YMax)
		}
		ticks := yTicks(c.YMin, c.YMax, c.YStep, c.Unit)
		if len(ticks) < 3 || len(ticks) > 8 {
			t.Errorf("%s: %d ticks", tc.name, len(ticks))
		}
		for _, tk := range ticks {
			if !strings.HasSuffix(tk.Label, "%") || tk.Value != math.Trunc(tk.Value) {
				t.Errorf("%s: tick %v %q", tc.name, tk.Value, tk.Label)
			}
		}
	}
}

func ptr(v float64) *float64 { return &v }
