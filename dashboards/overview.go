package dashboards

import (
	"context"
)

// Overview sets every service side by side for a range, with a row for all
// services together that adds up published per-service buckets only.
type Overview struct {
	Range    Range            `json:"range"`
	K        int              `json:"k"`
	Services []ServiceSummary `json:"services"`
	All      Summary          `json:"all"`
}

// ServiceSummary is one service's row of the overview.
type ServiceSummary struct {
	Service      string       `json:"service"`
	Title        string       `json:"title"`
	Totals       Summary      `json:"totals"`
	Trend        []TrendPoint `json:"trend"`
	HiddenMonths []string     `json:"hidden_months"`
}

// TrendPoint is a month of the overview's small trend chart: FFT % positive.
type TrendPoint struct {
	Month    string   `json:"month"`
	Hidden   bool     `json:"hidden,omitempty"`
	Positive *float64 `json:"positive_percent,omitempty"`
}

// Overview computes the all-services view over r.
func (d *Dashboards) Overview(ctx context.Context, r Range) (*Overview, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	o := &Overview{Range: r, K: d.k, All: Summary{FFT: newFFT()}}
	for _, service := range d.Services() {
		sv, _ := d.survey(service)
		st := computeService(s, sv, r, d.k)
		row := ServiceSummary{Service: service, Title: st.Title, Totals: st.Totals, HiddenMonths: st.HiddenMonths}
		for _, m := range st.Months {
			p := TrendPoint{Month: m.Month, Hidden: m.Hidden}
			if m.Figures != nil {
				p.Positive = m.Figures.FFT.Positive
			}
			row.Trend = append(row.Trend, p)
		}
		o.All.add(&st.Totals)
		o.Services = append(o.Services, row)
	}
	o.All.finish()
	return o, nil
}
