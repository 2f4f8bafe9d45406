package dashboards

import (
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
