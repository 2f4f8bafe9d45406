package dashboards

import (
	"math"
	"strconv"
)

// SPCReading is a control chart's variation and assurance icons as Making
// Data Count names them, each with its letter and its meaning written out:
// the page shows them beside the chart and every exported image draws them,
// so shape, letter and words say what colour says.
type SPCReading struct {
	Variation, VariationClass, VariationMark string
	VariationMeaning                         string
	// Assurance is empty for a measure with no better direction.
	Assurance, AssuranceClass, AssuranceMark string
	AssuranceMeaning                         string
	// Target is the target as written ("80%"), or "".
	Target string
}

// Read names a control chart's latest variation and its assurance; unit is
// the measure's ("%" is written after the target).
func (spc *SPC) Read(unit string) SPCReading {
	var r SPCReading
	r.Variation, r.VariationClass, r.VariationMark, r.VariationMeaning = readVariation(spc)
	r.Assurance, r.AssuranceClass, r.AssuranceMark, r.AssuranceMeaning = readAssurance(spc)
	if spc.Target != nil {
		r.Target = formatValue(*spc.Target, unit)
	}
	return r
}

// AssuranceLine is the assurance as one line of text: "Inconsistent (target 80%)".
func (r SPCReading) AssuranceLine() string {
	if r.Target == "" || r.Assurance == "" {
		return r.Assurance
	}
	return r.Assurance + " (target " + r.Target + ")"
}

// readVariation names the latest month's variation as Making Data Count's
// icons do: grey for common cause, blue for improvement, orange for concern,
// purple where neither direction is better; H or L for high or low.
func readVariation(spc *SPC) (name, class, mark, meaning string) {
	n := len(spc.Points)
	if n == 0 || math.IsNaN(spc.Points[n-1].Mean) {
		return "Not enough months", "none", "–", "Fewer than " + strconv.Itoa(MinSPCPoints) + " published months: no mean or limits yet."
	}
	last := spc.Points[n-1]
	high := last.Value > last.Mean
	mark = "L"
	if high {
		mark = "H"
	}
	switch spc.Variation {
	case SignalImprovement:
		return "Special cause: improvement", "improvement", mark, "The latest month shows a change for the better that is unlikely to be chance (" + last.Rule + ")."
	case SignalConcern:
		return "Special cause: concern", "concern", mark, "The latest month shows a change for the worse that is unlikely to be chance (" + last.Rule + ")."
	case SignalHigh, SignalLow:
		word := "low"
		if high {
			word = "high"
		}
		return "Special cause: " + word, "neutral", mark, "The latest month is unusual (" + last.Rule + "); neither direction is better for this measure."
	}
	return "Common cause", "common", "~", "The latest month varies only as this measure usually does: no sign of change."
}

// readAssurance names whether the process will meet its target.
func readAssurance(spc *SPC) (name, class, mark, meaning string) {
	switch spc.Assurance {
	case AssurancePass:
		return "Consistently passing", "pass", "P", "The target lies outside the process limits on the good side: every month can be expected to meet it."
	case AssuranceFail:
		return "Consistently failing", "fail", "F", "The target lies outside the process limits on the wrong side: no month can be expected to meet it without a change to the service."
	case AssuranceInconsistent:
		return "Inconsistent", "inconsistent", "?", "The target lies between the process limits: some months will meet it and some will not, by chance."
	}
	if spc.Improvement == Neutral {
		return "", "", "", ""
	}
	if spc.Target != nil {
		return "Not enough months", "none", "–", "Fewer than " + strconv.Itoa(MinSPCPoints) + " published months: no limits to compare the target with yet."
	}
	return "No target set", "none", "–", "Without a target there is no assurance to read."
}
