// Package dashpages serves the quality leads' dashboard screens: the
// overview, a service's dashboard with its charts and comments, chart images
// and the CSV downloads. What is published (whole months, buckets of at least
// K responses) is decided by package dashboards alone; these handlers read the
// period, call it and render. Request strings reach dashboards through
// web.Param and web.Query, copies: it keeps ranges and names as keys of its
// caches, and Fiber reuses its buffers.
package dashpages

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages are the dashboard screens.
type Pages struct {
	site       *web.Site
	staff      *staff.Pages
	dashboards *dashboards.Dashboards
	templates  web.Templates
}

// New parses the dashboard templates. Routes run staff's middleware first, so
// a handler here always has a signed-in quality lead or admin.
func New(site *web.Site, staffPages *staff.Pages, d *dashboards.Dashboards) (*Pages, error) {
	if d == nil {
		return nil, errors.New("dashpages: no dashboards")
	}
	funcs := template.FuncMap{"month": monthName, "percent": percentText, "score": scoreText, "count": countText, "interval": intervalRange, "comments": commentsText}
	t, err := web.ParseTemplates(templateFS, funcs, []string{"charts"}, "dashboards", "dashboard", "setting", "themes", "boardpack")
	if err != nil {
		return nil, err
	}
	site.Answer(refusals...)
	return &Pages{site: site, staff: staffPages, dashboards: d, templates: t}, nil
}

// Period reads ?from=&to= (YYYY-MM) and ?source= (verified or open); months
// left out mean the last 12 whole months, and the source verified responses.
func Period(c fiber.Ctx, d *dashboards.Dashboards) (dashboards.Range, error) {
	r, err := dashboards.ParseRange(web.Query(c, "from"), web.Query(c, "to"), d.Now())
	if err != nil {
		return r, err
	}
	r.Source, err = dashboards.ParseSource(web.Query(c, "source"))
	return r, err
}

// refusals word the requests the dashboards refuse: 404 for a service,
// chart or comment that does not exist, 400 for a malformed period, filter or
// cursor. The JSON API words its problem documents alike.
var refusals = web.Answers{
	{Is: dashboards.ErrUnknownService, Status: fiber.StatusNotFound, Heading: "Page not found", Message: noDashboard},
	{Is: dashboards.ErrUnknownChart, Status: fiber.StatusNotFound, Heading: "Page not found", Message: noDashboard},
	{Is: dashboards.ErrRange, Status: fiber.StatusBadRequest, Heading: "Choose whole months", Explain: func(err error) string {
		return fmt.Sprintf("The period could not be shown: %v. Write months as YYYY-MM, for example 2026-01, with from no later than to, and at most %d months.",
			web.Detail(err, dashboards.ErrRange), dashboards.MaxMonths)
	}},
	{Is: dashboards.ErrNoComment, Status: fiber.StatusNotFound, Heading: "Comment not found", Message: "There is no published comment at this address. Go back to the dashboard and follow its links."},
	{Is: dashboards.ErrFilter, Status: fiber.StatusBadRequest, Heading: "Choose a rating and theme from the lists", Explain: func(err error) string {
		return "The comments could not be filtered: " + web.Detail(err, dashboards.ErrFilter) + "."
	}},
	{Is: dashboards.ErrCursor, Status: fiber.StatusBadRequest, Heading: "Page of comments not found", Message: "That link to more comments is not one this page made. Go back to the dashboard and follow its links."},
}

const noDashboard = "There is no dashboard or chart at this address. Start again from the dashboards page."

// page is a staff page with the dashboards' own stylesheet, which only these
// pages load (the survey's first load stays small).
func (s *Pages) page(c fiber.Ctx, title string) web.Page {
	p := s.staff.Page(c, title)
	p.PageCSS = s.site.AssetURL("dashboards.css")
	return p
}

// rangeQuery is the query string that names r.
func rangeQuery(r dashboards.Range) string {
	q := url.Values{"from": {r.From}, "to": {r.To}}
	if r.Source == dashboards.Open {
		q.Set("source", string(dashboards.Open))
	}
	return q.Encode()
}

func (s *Pages) periodNav(base string, r dashboards.Range) periodNav {
	now := s.dashboards.Now()
	nav := periodNav{From: r.From, To: r.To, Label: monthName(r.From) + " to " + monthName(r.To),
		Publication: dashboards.PublicationNote(now)}
	if r.From == r.To {
		nav.Label = monthName(r.From)
	}
	for _, q := range []struct {
		label  string
		months int
	}{{"Last month", 1}, {"Last 3 months", 3}, {"Last 12 months", 12}} {
		lr := dashboards.LastMonths(now, q.months)
		lr.Source = r.Source
		nav.Links = append(nav.Links, navLink{Label: q.label, URL: base + "?" + rangeQuery(lr), Current: lr == r})
	}
	for _, src := range []struct {
		label  string
		source dashboards.Source
	}{{"Invited (verified)", dashboards.Verified}, {"Open link", dashboards.Open}} {
		sr := r
		sr.Source = src.source
		nav.Sources = append(nav.Sources, navLink{Label: src.label, URL: base + "?" + rangeQuery(sr), Current: sr.Source == r.Source})
	}
	nav.Open = r.Source == dashboards.Open
	return nav
}
