package dashboards

import (
	"context"
	"time"

	"github.com/feedback-service/feedback/survey"
)

// Comparison sets a range's headline figures beside the period of the same
// length just before it and the same months a year earlier. Each is computed
// from published buckets alone, like any other view.
type Comparison struct {
	Current  Period `json:"current"`
	Previous Period `json:"previous"`
	LastYear Period `json:"last_year"`
}

// Period is one range's headline figures.
type Period struct {
	Range  Range   `json:"range"`
	Label  string  `json:"label"`
	Totals Summary `json:"totals"`
	// Hidden counts the months the survey ran that are left out for fewer
	// than K responses (which may be none: nothing tells them apart).
	Hidden int `json:"hidden"`
	// NotRunning counts the months the survey was not running: no responses.
	NotRunning int `json:"not_running"`
}

// Compare computes the comparison of a service over r.
func (d *Dashboards) Compare(ctx context.Context, service string, r Range) (*Comparison, error) {
	n := len(r.Months())
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	cmp := &Comparison{}
	for _, p := range []struct {
		into  *Period
		shift int
	}{{&cmp.Current, 0}, {&cmp.Previous, -n}, {&cmp.LastYear, -12}} {
		pr := Range{From: shiftMonth(r.From, p.shift), To: shiftMonth(r.To, p.shift), Source: r.Source}
		st, err := d.Service(ctx, service, pr)
		if err != nil {
			return nil, err
		}
		*p.into = Period{Range: pr, Label: PeriodName(pr), Totals: st.Totals}
		for _, m := range st.HiddenMonths {
			if s.ran[m] {
				p.into.Hidden++
			} else {
				p.into.NotRunning++
			}
		}
	}
	return cmp, nil
}

func shiftMonth(m string, months int) string {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return m
	}
	return survey.Month(t.AddDate(0, months, 0))
}
