package dashboards

import (
	"fmt"
	"math"
	"testing"
)

func months(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%04d-%02d", 2024+i/12, i%12+1)
	}
	return out
}

func xmrInput(ys ...float64) []SPCInput {
	ms := months(len(ys))
	in := make([]SPCInput, len(ys))
	for i, y := range ys {
		in[i] = SPCInput{Month: ms[i], Value: y}
	}
	return in
}

func near(a, b float64) bool { return math.Abs(a-b) < 5e-6 }

// rnorm(20) after set.seed(123) in R: the series of NHSRplotthedots'
// ptd_spc_standard snapshot (tests/testthat/_snaps/ptd_spc_standard.md).
var ptdSeries = []float64{
	-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
	1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
}

func TestComputeSPC_MatchesNHSRplotthedotsSnapshot(t *testing.T) {
	s := ComputeSPC(XmR, Higher, xmrInput(ptdSeries...), "", nil)
	p := s.Points[0]
	if !near(p.Mean, 0.1416238) || !near(p.Lower, -3.01138) || !near(p.Upper, 3.294627) {
		t.Errorf("r1: mean %v limits %v..%v", p.Mean, p.Lower, p.Upper)
	}
	// r2: the 15th value made 10, an outlier whose moving ranges are screened out.
	ys := append([]float64(nil), ptdSeries...)
	ys[14] = 10
	s = ComputeSPC(XmR, Higher, xmrInput(ys...), "", nil)
	p = s.Points[0]
	if !near(p.Mean, 0.6694159) || !near(p.Lower, -2.383666) || !near(p.Upper, 3.722497) {
		t.Errorf("r2: mean %v limits %v..%v", p.Mean, p.Lower, p.Upper)
	}
	if s.Points[14].Rule != RuleBeyondLimit || s.Points[14].Signal != SignalImprovement {
		t.Errorf("the outlier: %+v", s.Points[14])
	}
}

// NHSRplotthedots' test "it only reports special cause for 2of3 points close
// to limits when they are on the same side of the mean".
func TestComputeSPC_TwoNearLimitsOnOppositeSidesIsCommonCause(t *testing.T) {
	var ys []float64
	for range 8 {
		ys = append(ys, 1, -1)
	}
	ys[14], ys[15] = 5.5, -5.5
	s := ComputeSPC(XmR, Higher, xmrInput(ys...), "", nil)
	for _, p := range s.Points[14:] {
		if p.Signal != SignalCommon {
			t.Errorf("%+v", p)
		}
	}
}

// fixed lays ys on limits of ±3 around a mean of 0 (2 sigma at ±2) and flags them.
func fixed(ys ...float64) []SPCPoint {
	pts := make([]SPCPoint, len(ys))
	for i, y := range ys {
		pts[i] = SPCPoint{Value: y}
		setLimits(&pts[i], 0, 1, -10, 10)
	}
	flagSpecialCause(pts)
	return pts
}

func TestFlagSpecialCause_RulesAndTheirBoundaries(t *testing.T) {
	const (
		n = RuleNone
		B = RuleBeyondLimit
		T = RuleTrend
		W = RuleTwoOfThree
		R = RuleRun
	)
	for _, tc := range []struct {
		name string
		ys   []float64
		want []string
		dirs []int
	}{
		{"3.01 is beyond the limit, 3 is not (but is beyond 2 sigma)", []float64{3.01, -0.5, 3, 0.5, -3.01}, []string{B, n, n, n, B}, []int{1, 0, 0, 0, -1}},
		{"6 rising is not a trend", []float64{-1.5, -1, -0.5, 0.1, 0.5, 1}, []string{n, n, n, n, n, n}, nil},
		{"7 rising is", []float64{-1.5, -1, -0.5, 0.1, 0.5, 1, 1.5}, []string{T, T, T, T, T, T, T}, []int{1, 1, 1, 1, 1, 1, 1}},
		{"7 falling is", []float64{1.5, 1, 0.5, -0.1, -0.5, -1, -1.5, 0.2}, []string{T, T, T, T, T, T, T, n}, []int{-1, -1, -1, -1, -1, -1, -1, 0}},
		{"an equal neighbour breaks a trend", []float64{-1.5, -1, -0.5, -0.5, 0.1, 0.5, 1, 1.5}, []string{n, n, n, n, n, n, n, n}, nil},
		{"6 above the mean is not a run", []float64{0.5, 0.4, 0.5, 0.4, 0.5, 0.4, -0.5}, []string{n, n, n, n, n, n, n}, nil},
		{"7 above is", []float64{0.5, 0.4, 0.5, 0.4, 0.5, 0.4, 0.5, -0.5}, []string{R, R, R, R, R, R, R, n}, []int{1, 1, 1, 1, 1, 1, 1, 0}},
		{"8 below are all flagged", []float64{-0.5, -0.4, -0.5, -0.4, -0.5, -0.4, -0.5, -0.4, 0.5}, []string{R, R, R, R, R, R, R, R, n}, nil},
		{"a point on the mean breaks a run", []float64{0.5, 0.4, 0.5, 0, 0.5, 0.4, 0.5, 0.4}, []string{n, n, n, n, n, n, n, n}, nil},
		{"2 of 3 beyond 2 sigma on one side", []float64{2.5, 0.5, 2.1, -0.5}, []string{W, n, W, n}, []int{1, 0, 1, 0}},
		{"2 of 3 below", []float64{-0.5, -2.5, -2.5, -0.5}, []string{n, W, W, n}, []int{0, -1, -1, 0}},
		{"exactly 2 sigma is not beyond it", []float64{2, 0.5, 2.5}, []string{n, n, n}, nil},
		{"2 of 3 on both sides is not", []float64{2.5, -0.5, 2.5}, []string{n, n, n}, nil},
		{"a beyond-limit point wins over a trend", []float64{-1.5, -1, -0.5, 0.1, 0.5, 1, 3.5}, []string{T, T, T, T, T, T, B}, nil},
	} {
		pts := fixed(tc.ys...)
		for i, p := range pts {
			if p.Rule != tc.want[i] || (tc.dirs != nil && p.direction != tc.dirs[i]) {
				t.Errorf("%s: point %d (%v) is %q/%d, want %q", tc.name, i, p.Value, p.Rule, p.direction, tc.want[i])
			}
		}
	}
}

func TestComputeSPC_PChartLimitsFollowEachMonthsN(t *testing.T) {
	in := []SPCInput{
		{Month: "2026-01", Value: 80, Successes: 80, N: 100},
		{Month: "2026-02", Value: 90, Successes: 90, N: 100},
		{Month: "2026-03", Value: 85, Successes: 170, N: 200},
	}
	s := ComputeSPC(PChart, Higher, in, "", nil)
	// p̄ = 340/400 = 0.85; 3 sigma = 300·sqrt(0.85·0.15/n).
	for i, want := range [][2]float64{{74.28786, 95.71214}, {74.28786, 95.71214}, {77.42537, 92.57463}} {
		p := s.Points[i]
		if !near(p.Mean, 85) || math.Abs(p.Lower-want[0]) > 1e-4 || math.Abs(p.Upper-want[1]) > 1e-4 {
			t.Errorf("point %d: %v %v..%v, want %v", i, p.Mean, p.Lower, p.Upper, want)
		}
	}
	// Limits never leave 0..100.
	s = ComputeSPC(PChart, Higher, []SPCInput{{Month: "2026-01", Value: 100, Successes: 10, N: 10}, {Month: "2026-02", Value: 90, Successes: 9, N: 10}}, "", nil)
	if s.Points[0].Upper != 100 {
		t.Errorf("upper limit %v", s.Points[0].Upper)
	}
}

func TestComputeSPC_VariationAssuranceAndBaseline(t *testing.T) {
	ys := []float64{10, 11, 9, 10, 11, 9, 10, 11, 9, 10}
	target := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		dir    Improvement
		target *float64
		want   string
	}{
		{Higher, target(5), AssurancePass}, {Higher, target(15), AssuranceFail}, {Higher, target(10.5), AssuranceInconsistent},
		{Lower, target(15), AssurancePass}, {Lower, target(5), AssuranceFail}, {Neutral, target(5), AssuranceNone}, {Higher, nil, AssuranceNone},
	} {
		if got := ComputeSPC(XmR, tc.dir, xmrInput(ys...), "", tc.target).Assurance; got != tc.want {
			t.Errorf("%d target %v: %q, want %q", tc.dir, tc.target, got, tc.want)
		}
	}
	high := append(append([]float64(nil), ys...), 30)
	for dir, want := range map[Improvement]string{Higher: SignalImprovement, Lower: SignalConcern, Neutral: SignalHigh} {
		if got := ComputeSPC(XmR, dir, xmrInput(high...), "", nil).Variation; got != want {
			t.Errorf("direction %d: %q, want %q", dir, got, want)
		}
	}
	// Recalculated from the eleventh month: a shift to 20 is the new normal.
	shifted := append(append([]float64(nil), ys...), 20, 21, 19, 20, 21, 19, 20)
	in := xmrInput(shifted...)
	s := ComputeSPC(XmR, Higher, in, in[10].Month, nil)
	if s.Baseline != in[10].Month || !near(s.Points[0].Mean, 10) || !near(s.Points[16].Mean, 20) || s.Variation != SignalCommon {
		t.Errorf("baseline: %s %v %v %q", s.Baseline, s.Points[0].Mean, s.Points[16].Mean, s.Variation)
	}
	if s := ComputeSPC(XmR, Higher, in, "", nil); s.Variation != SignalImprovement {
		t.Errorf("without a baseline the shift is special cause: %q", s.Variation)
	}
	if s := ComputeSPC(XmR, Higher, xmrInput(5), "", nil); !math.IsNaN(s.Points[0].Upper) || s.Variation != SignalCommon {
		t.Errorf("one point has no limits: %+v", s.Points[0])
	}
}
