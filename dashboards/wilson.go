package dashboards

import "math"

// Interval is a 95% confidence interval of a percentage, in percent.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// SmallSample is the number of answers below which a percentage is shown
// with a plain warning: its interval is wider than about ±14 points.
const SmallSample = 50

// z95 is the standard normal quantile for a two-sided 95% interval.
const z95 = 1.959963984540054

// Wilson is the 95% Wilson score interval of part out of whole, rounded to
// one decimal place; nil when whole is 0. Unlike p ± 1.96·SE it stays inside
// 0–100 and is honest at small n and at 0% or 100%.
func Wilson(part, whole int64) *Interval {
	if whole <= 0 || part < 0 || part > whole {
		return nil
	}
	n := float64(whole)
	p := float64(part) / n
	z2 := z95 * z95
	centre := (p + z2/(2*n)) / (1 + z2/n)
	half := z95 * math.Sqrt(p*(1-p)/n+z2/(4*n*n)) / (1 + z2/n)
	return &Interval{Low: round1(100 * math.Max(0, centre-half)), High: round1(100 * math.Min(1, centre+half))}
}
