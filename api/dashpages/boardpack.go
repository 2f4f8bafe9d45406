package dashpages

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
)

// boardPackPage is every service's page of the monthly board pack.
type boardPackPage struct {
	web.Page
	Period   periodNav
	Services []servicePackView
}

type servicePackView struct {
	Name   string
	Stats  *dashboards.ServiceStats
	Hidden hiddenNote
	Charts []chartView
	Themes []dashboards.ThemeTotal
	Picked []dashboards.CommentView
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
	p := boardPackPage{Page: s.page(c, "Board pack"), Period: s.periodNav("/dashboards/board-pack", r)}
	for _, pk := range packs {
		v := servicePackView{Name: serviceName(pk.Stats.Service), Stats: pk.Stats, Themes: pk.TopThemes, Picked: pk.Picked,
			Hidden: hiddenNote{HiddenMonths: pk.Stats.HiddenMonths, K: pk.Stats.K}}
		for _, ch := range pk.Charts {
			v.Charts = append(v.Charts, newChartView(pk.Trend, ch, ""))
		}
		p.Services = append(p.Services, v)
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "boardpack", p)
}
