package dashpages

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
)

// boardPackPage is every service's page of the monthly board pack.
type boardPackPage struct {
	web.Page
	Period   periodNav
	Services []servicePackView
	// OrganisationCode is the ODS code the pack and the FFT return name; its
	// absence is said on the page, for whoever sets the service up.
	OrganisationCode string
}

type servicePackView struct {
	Name      string
	Stats     *dashboards.ServiceStats
	Hidden    hiddenNote
	Headlines headlineTable
	// TrendLabel names the months the charts cover.
	TrendLabel string
	Charts     []chartView
	Themes     []dashboards.ThemeTotal
	Picked     []dashboards.CommentView
}

// headlineTable is the headline figures, a column per month or mean.
type headlineTable struct {
	Columns []headlineCell
	Rows    []headlineRow
}

type headlineRow struct {
	Measure string
	Cells   []headlineCell
}

// headlineCell is a figure, with its 95% interval or what it is of.
type headlineCell struct {
	Text, Detail string
}

// BoardPack is GET /dashboards/board-pack: one printable page per service
// for a period (by default last month), from published months only.
func (s *Pages) BoardPack(c fiber.Ctx) error {
	r, err := Period(c, s.dashboards)
	if err != nil {
		return err
	}
	if web.Query(c, "from") == "" && web.Query(c, "to") == "" {
		r = dashboards.LastMonths(s.dashboards.Now(), 1)
	}
	packs, err := s.dashboards.BoardPack(c.Context(), r)
	if err != nil {
		return err
	}
	p := boardPackPage{Page: s.page(c, "Board pack"), Period: s.periodNav("/dashboards/board-pack", r), OrganisationCode: s.dashboards.OrganisationCode()}
	for _, pk := range packs {
		v := servicePackView{Name: serviceName(pk.Stats.Service), Stats: pk.Stats, Themes: pk.TopThemes, Picked: pk.Picked,
			Hidden:     hiddenNote{HiddenMonths: pk.Stats.HiddenMonths, K: pk.Stats.K},
			Headlines:  newHeadlineTable(pk, r),
			TrendLabel: trendLabel(pk.Trend)}
		for _, ch := range pk.Charts {
			v.Charts = append(v.Charts, newChartView(pk.Trend, ch, ""))
		}
		p.Services = append(p.Services, v)
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "boardpack", p)
}

// trendLabel is "the 14 months from October 2025 to November 2026".
func trendLabel(st *dashboards.ServiceStats) string {
	n := len(st.Months)
	switch n {
	case 0:
		return "no published month yet"
	case 1:
		return monthName(st.Months[0].Month)
	}
	return "the " + strconv.Itoa(n) + " months from " + monthName(st.Months[0].Month) + " to " + monthName(st.Months[n-1].Month)
}

// newHeadlineTable lays out the month, the month before, the 12-month mean
// and, for a period of several months, the period's totals.
func newHeadlineTable(pk dashboards.ServicePack, r dashboards.Range) headlineTable {
	h := pk.Headlines
	k := pk.Stats.K
	open := r.Source == dashboards.Open
	t := headlineTable{Columns: []headlineCell{{Text: "Measure"}, {Text: monthName(h.Month.Month)}, {Text: monthName(h.Previous.Month)},
		{Text: "12-month mean", Detail: dashboards.PeriodName(h.Year.Range)}}}
	cols := []func(m measureOf) headlineCell{
		monthCell(h.Month, k, open), monthCell(h.Previous, k, open),
		func(m measureOf) headlineCell {
			if h.Year.Months == 0 {
				return headlineCell{Text: "no published month"}
			}
			return m(&h.Year.Figures, open)
		},
	}
	if r.From != r.To {
		t.Columns = append(t.Columns, headlineCell{Text: "This period", Detail: dashboards.PeriodName(r)})
		cols = append(cols, func(m measureOf) headlineCell { return m(&pk.Stats.Totals, open) })
	}
	measures := []struct {
		name string
		of   measureOf
	}{
		{"Responses", responsesCell},
		{"FFT positive", fftCell(true)},
		{"FFT negative", fftCell(false)},
		{"Likelihood to recommend score", func(s *dashboards.Summary, _ bool) headlineCell { return headlineCell{Text: scoreText(s.Score)} }},
		{"Response rate", responseRateCell},
	}
	for _, m := range measures {
		row := headlineRow{Measure: m.name}
		for _, col := range cols {
			row.Cells = append(row.Cells, col(m.of))
		}
		if m.name == "Responses" {
			// The mean's responses are per month, not the year's sum.
			if mr := h.Year.MeanResponses; mr != nil {
				row.Cells[2] = headlineCell{Text: strconv.FormatFloat(*mr, 'f', -1, 64), Detail: "a month, over " + strconv.Itoa(h.Year.Months) + " published months"}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// measureOf reads one headline from a month's or a sum's figures; open says
// the view is of open-link answers, which come through no invitation.
type measureOf func(s *dashboards.Summary, open bool) headlineCell

func monthCell(m dashboards.MonthHeadline, k int, open bool) func(measureOf) headlineCell {
	return func(of measureOf) headlineCell {
		switch {
		case m.Unpublished:
			return headlineCell{Text: "not published yet"}
		case m.Figures == nil:
			return headlineCell{Text: "not published", Detail: "fewer than " + strconv.Itoa(k) + " responses"}
		}
		return of(m.Figures, open)
	}
}

func responsesCell(s *dashboards.Summary, _ bool) headlineCell {
	return headlineCell{Text: countText(s.Responses)}
}

func fftCell(positive bool) measureOf {
	return func(s *dashboards.Summary, _ bool) headlineCell {
		p, ci := s.FFT.Negative, s.FFT.NegativeInterval
		if positive {
			p, ci = s.FFT.Positive, s.FFT.PositiveInterval
		}
		c := headlineCell{Text: percentText(p)}
		if ci != nil {
			c.Detail = "95% interval " + intervalRange(ci)
		}
		return c
	}
}

// responseRateCell is responses as a percentage of the invitations sent in
// the months that counted them; where none were counted the rate is not known.
func responseRateCell(s *dashboards.Summary, open bool) headlineCell {
	if open {
		return headlineCell{Text: "not known", Detail: "open-link answers come through no invitation"}
	}
	if s.ResponseRate == nil {
		return headlineCell{Text: "not known", Detail: "no count of invitations sent"}
	}
	return headlineCell{Text: percentText(s.ResponseRate), Detail: countText(s.RateResponses()) + " responses to " + countText(s.Invitations) + " invitations sent"}
}
