package dashpages

import (
	"math"
	"strconv"

	"github.com/feedback-service/feedback/dashboards"
)

// spcView is a control chart's reading for the page: the variation and
// assurance icons with their meanings written out.
type spcView struct {
	Measure                                  string
	Method                                   string
	Variation, VariationClass, VariationMark string
	VariationMeaning                         string
	Assurance, AssuranceClass, AssuranceMark string
	AssuranceMeaning                         string
	Target, Baseline                         string
	Provisional                              bool
	Points                                   int
	SettingURL                               string
}

func newSPCView(service string, ch dashboards.Chart) *spcView {
	spc := ch.SPC
	m, _ := dashboards.MeasureByName(ch.Name)
	v := &spcView{Measure: m.Title, Method: "XmR chart (individuals, limits from the mean moving range)", Points: len(spc.Points),
		SettingURL: "/dashboards/" + service + "/spc?measure=" + ch.Name}
	if spc.Method == dashboards.PChart {
		v.Method = "p-chart (limits from each month's number of answers)"
	}
	v.Provisional = len(spc.Points) < dashboards.AdvisedSPCPoints
	if spc.Baseline != "" {
		v.Baseline = monthName(spc.Baseline)
	}
	v.Variation, v.VariationClass, v.VariationMark, v.VariationMeaning = variation(spc)
	if spc.Target != nil {
		v.Target = strconv.FormatFloat(*spc.Target, 'f', -1, 64)
		if ch.Unit == "%" {
			v.Target += "%"
		}
	}
	v.Assurance, v.AssuranceClass, v.AssuranceMark, v.AssuranceMeaning = assurance(spc)
	return v
}

// variation names the latest month's variation as Making Data Count's icons
// do: grey for common cause, blue for improvement, orange for concern,
// purple where neither direction is better; H or L for high or low.
func variation(spc *dashboards.SPC) (name, class, mark, meaning string) {
	n := len(spc.Points)
	if n == 0 || math.IsNaN(spc.Points[n-1].Mean) {
		return "Not enough months", "none", "–", "Fewer than 2 published months: no mean or limits yet."
	}
	last := spc.Points[n-1]
	high := last.Value > last.Mean
	mark = "L"
	if high {
		mark = "H"
	}
	switch spc.Variation {
	case dashboards.SignalImprovement:
		return "Special cause: improvement", "improvement", mark, "The latest month shows a change for the better that is unlikely to be chance (" + last.Rule + ")."
	case dashboards.SignalConcern:
		return "Special cause: concern", "concern", mark, "The latest month shows a change for the worse that is unlikely to be chance (" + last.Rule + ")."
	case dashboards.SignalHigh, dashboards.SignalLow:
		return "Special cause: " + map[bool]string{true: "high", false: "low"}[high], "neutral", mark, "The latest month is unusual (" + last.Rule + "); neither direction is better for this measure."
	}
	return "Common cause", "common", "~", "The latest month varies only as this measure usually does: no sign of change."
}

// assurance names whether the process will meet its target.
func assurance(spc *dashboards.SPC) (name, class, mark, meaning string) {
	switch spc.Assurance {
	case dashboards.AssurancePass:
		return "Consistently passing", "pass", "P", "The target lies outside the process limits on the good side: every month can be expected to meet it."
	case dashboards.AssuranceFail:
		return "Consistently failing", "fail", "F", "The target lies outside the process limits on the wrong side: no month can be expected to meet it without a change to the service."
	case dashboards.AssuranceInconsistent:
		return "Inconsistent", "inconsistent", "?", "The target lies between the process limits: some months will meet it and some will not, by chance."
	}
	if spc.Improvement == dashboards.Neutral {
		return "", "", "", ""
	}
	if spc.Target != nil {
		return "Not enough months", "none", "–", "Fewer than 2 published months: no limits to compare the target with yet."
	}
	return "No target set", "none", "–", "Without a target there is no assurance to read."
}
