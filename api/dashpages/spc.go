package dashpages

import (
	"github.com/feedback-service/feedback/dashboards"
)

// spcView is a control chart's reading for the page: the variation and
// assurance icons with their meanings written out (dashboards.SPC.Read, the
// same words every exported image draws).
type spcView struct {
	Measure string
	Method  string
	dashboards.SPCReading
	Baseline    string
	Provisional bool
	Points      int
	SettingURL  string
}

func newSPCView(service string, ch dashboards.Chart) *spcView {
	spc := ch.SPC
	m, _ := dashboards.MeasureByName(ch.Name)
	v := &spcView{Measure: m.Title, Method: "XmR chart (individuals, limits from the mean moving range)", Points: len(spc.Points),
		SettingURL: "/dashboards/" + service + "/spc?measure=" + ch.Name, SPCReading: spc.Read(ch.Unit)}
	if spc.Method == dashboards.PChart {
		v.Method = "p-chart (limits from each month's number of answers)"
	}
	v.Provisional = len(spc.Points) < dashboards.AdvisedSPCPoints
	if spc.Baseline != "" {
		v.Baseline = monthName(spc.Baseline)
	}
	return v
}
