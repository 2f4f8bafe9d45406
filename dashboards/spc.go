package dashboards

import (
	"encoding/json"
	"math"
)

// Statistical process control as NHS England's "Making Data Count" asks for it:
// a mean and process limits, special cause flagged by four rules, and a
// variation and an assurance icon. Pure functions over published months only.
//
// Checked against NHS-R's NHSRplotthedots (github.com/nhs-r-community/NHSRplotthedots,
// R/ptd_spc_standard.R and R/ptd_calculate_point_type.R, read not copied): its
// ptd_spc_standard snapshot (rnorm(20) with set.seed(123), with and without a
// screened outlier) and its rule tests (ptd_seven_point_trend,
// ptd_seven_point_one_side_mean, two-in-three on opposite sides) are cases in
// spc_test.go. As there: moving ranges of 3.267 times their mean or more are
// left out of the limits, a point on the mean breaks a run, equal neighbours
// break a trend, and two of three near a limit count only on one side.

// Improvement says which way a measure gets better.
type Improvement int

// Directions of improvement.
const (
	Neutral Improvement = 0
	Higher  Improvement = 1
	Lower   Improvement = -1
)

// SPCMethod is the kind of control chart.
type SPCMethod string

// Control charts: XmR (individuals and moving range) for a count or a score,
// p for a proportion whose limits follow each month's number of answers.
const (
	XmR    SPCMethod = "xmr"
	PChart SPCMethod = "p"
)

// The special-cause rules, strongest first: a point flagged by several shows
// the first.
const (
	RuleNone        = ""
	RuleBeyondLimit = "beyond a process limit"
	RuleTrend       = "7 points rising or falling"
	RuleTwoOfThree  = "2 of 3 points beyond 2 sigma on one side"
	RuleRun         = "7 points on one side of the mean"
)

// Signals: a point's variation, read with the measure's direction.
const (
	SignalCommon      = "common cause"
	SignalImprovement = "special cause: improvement"
	SignalConcern     = "special cause: concern"
	SignalHigh        = "special cause: high"
	SignalLow         = "special cause: low"
)

// Assurance: whether the process will meet a target.
const (
	AssuranceNone         = ""
	AssurancePass         = "pass"
	AssuranceFail         = "fail"
	AssuranceInconsistent = "inconsistent"
)

// xmrLimit is 3 sigma of an XmR chart in units of the mean moving range
// (3/d2, d2 = 1.128); moving ranges this many times their mean or more are
// screened out (D4 = 3.267).
const (
	xmrLimit  = 2.66
	xmrScreen = 3.267
)

// SPCInput is one published month of a measure. For a p-chart Value is a
// percentage of N; Successes is its numerator.
type SPCInput struct {
	Month     string
	Value     float64
	N         int64
	Successes int64
}

// SPCPoint is one month on a control chart.
type SPCPoint struct {
	Month  string  `json:"month"`
	Value  float64 `json:"value"`
	Mean   float64 `json:"mean"`
	Lower  float64 `json:"lower"`
	Upper  float64 `json:"upper"`
	Rule   string  `json:"rule,omitempty"`
	Signal string  `json:"signal"`
	// direction is +1 for a special cause high or rising, -1 low or falling.
	direction int
	nearLower float64
	nearUpper float64
}

// SPC is a measure's control chart over the published months of a range.
type SPC struct {
	Method      SPCMethod   `json:"method"`
	Improvement Improvement `json:"improvement"`
	Points      []SPCPoint  `json:"points"`
	// Baseline is the month from which the limits were recalculated, if any.
	Baseline string `json:"baseline,omitempty"`
	// Variation is the latest point's signal; Assurance compares its limits
	// with Target.
	Variation string   `json:"variation"`
	Target    *float64 `json:"target,omitempty"`
	Assurance string   `json:"assurance,omitempty"`
}

// MinSPCPoints is the fewest points with limits drawn; below
// AdvisedSPCPoints the limits are shown as provisional.
const (
	MinSPCPoints     = 2
	AdvisedSPCPoints = 12
)

// ComputeSPC computes a control chart. Limits are calculated separately
// before and from baseline (a month, or "" for none); rules apply within each.
func ComputeSPC(method SPCMethod, dir Improvement, in []SPCInput, baseline string, target *float64) *SPC {
	s := &SPC{Method: method, Improvement: dir, Target: target, Variation: SignalCommon}
	var groups [][]SPCInput
	start := 0
	for i := 1; i < len(in) && baseline != ""; i++ {
		if in[i].Month >= baseline {
			start = i
			s.Baseline = baseline
			break
		}
	}
	if start > 0 {
		groups = append(groups, in[:start])
	}
	groups = append(groups, in[start:])
	for _, g := range groups {
		pts := limits(method, g)
		flagSpecialCause(pts)
		for i := range pts {
			pts[i].Signal = signal(pts[i].direction, dir)
		}
		s.Points = append(s.Points, pts...)
	}
	if n := len(s.Points); n > 0 {
		last := s.Points[n-1]
		s.Variation = last.Signal
		s.Assurance = assurance(dir, target, last)
	}
	return s
}

// limits gives each point of one group its mean, process limits and the 2
// sigma lines the two-of-three rule reads.
func limits(method SPCMethod, g []SPCInput) []SPCPoint {
	pts := make([]SPCPoint, len(g))
	for i, p := range g {
		pts[i] = SPCPoint{Month: p.Month, Value: p.Value}
	}
	if len(g) < MinSPCPoints {
		for i := range pts {
			pts[i].Mean, pts[i].Lower, pts[i].Upper = math.NaN(), math.NaN(), math.NaN()
			pts[i].nearLower, pts[i].nearUpper = math.NaN(), math.NaN()
		}
		return pts
	}
	if method == PChart {
		var s, n int64
		for _, p := range g {
			s, n = s+p.Successes, n+p.N
		}
		pbar := float64(s) / float64(n)
		for i, p := range g {
			sigma := 100 * math.Sqrt(pbar*(1-pbar)/float64(p.N))
			setLimits(&pts[i], 100*pbar, sigma, 0, 100)
		}
		return pts
	}
	ys := make([]float64, len(g))
	for i, p := range g {
		ys[i] = p.Value
	}
	mean, amr := XmRMeanAndMR(ys)
	for i := range pts {
		setLimits(&pts[i], mean, amr*xmrLimit/3, math.Inf(-1), math.Inf(1))
	}
	return pts
}

func setLimits(p *SPCPoint, mean, sigma, lo, hi float64) {
	p.Mean = mean
	p.Lower, p.Upper = math.Max(lo, mean-3*sigma), math.Min(hi, mean+3*sigma)
	p.nearLower, p.nearUpper = mean-2*sigma, mean+2*sigma
}

// XmRMeanAndMR returns the mean of ys and the mean moving range, with moving
// ranges of 3.267 times the first mean or more screened out.
func XmRMeanAndMR(ys []float64) (mean, amr float64) {
	for _, y := range ys {
		mean += y
	}
	mean /= float64(len(ys))
	mrs := make([]float64, 0, len(ys))
	for i := 1; i < len(ys); i++ {
		mrs = append(mrs, math.Abs(ys[i]-ys[i-1]))
	}
	first := average(mrs)
	var kept []float64
	for _, mr := range mrs {
		if mr < xmrScreen*first {
			kept = append(kept, mr)
		}
	}
	if len(kept) == 0 {
		return mean, first
	}
	return mean, average(kept)
}

func average(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func signal(direction int, dir Improvement) string {
	switch {
	case direction == 0:
		return SignalCommon
	case dir == Neutral && direction > 0:
		return SignalHigh
	case dir == Neutral:
		return SignalLow
	case direction*int(dir) > 0:
		return SignalImprovement
	}
	return SignalConcern
}

// assurance reads the latest limits against a target: a target outside them
// is met every month (pass) or never (fail); inside, sometimes.
func assurance(dir Improvement, target *float64, last SPCPoint) string {
	if target == nil || dir == Neutral || math.IsNaN(last.Mean) {
		return AssuranceNone
	}
	t := *target
	switch {
	case (dir == Higher && t < last.Lower) || (dir == Lower && t > last.Upper):
		return AssurancePass
	case (dir == Higher && t > last.Upper) || (dir == Lower && t < last.Lower):
		return AssuranceFail
	}
	return AssuranceInconsistent
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// MarshalJSON writes a point with no limits (too few months) with null mean
// and limits: JSON has no NaN.
func (p SPCPoint) MarshalJSON() ([]byte, error) {
	opt := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		Month  string   `json:"month"`
		Value  float64  `json:"value"`
		Mean   *float64 `json:"mean"`
		Lower  *float64 `json:"lower"`
		Upper  *float64 `json:"upper"`
		Rule   string   `json:"rule,omitempty"`
		Signal string   `json:"signal"`
	}{p.Month, p.Value, opt(p.Mean), opt(p.Lower), opt(p.Upper), p.Rule, p.Signal})
}
