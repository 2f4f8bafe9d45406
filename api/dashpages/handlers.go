package dashpages

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
)

// Overview is GET /dashboards/: every service's headline figures and FFT trend.
func (s *Pages) Overview(c fiber.Ctx) error {
	r, err := Period(c, s.dashboards)
	if err != nil {
		return err
	}
	o, err := s.dashboards.Overview(c.Context(), r)
	if err != nil {
		return err
	}
	p := overviewPage{Page: s.page(c, "Dashboards"), Overview: o, Period: s.periodNav("/dashboards", r),
		FFTReturnURL: "/dashboards/fft-return.csv?" + rangeQuery(r), OrganisationCode: s.dashboards.OrganisationCode()}
	if sess := staff.SessionOf(c); sess != nil {
		if p.Subscribed, err = s.dashboards.Subscribed(c.Context(), sess.Email); err != nil {
			return err
		}
	}
	for _, row := range o.Services {
		st, err := s.dashboards.Service(c.Context(), row.Service, r)
		if err != nil {
			return err
		}
		trend, _ := dashboards.ChartByName(st, dashboards.ChartFFT)
		trendView := newChartView(st, trend, "")
		row.Title = serviceName(row.Service)
		trendView.Title = row.Title + ": " + trend.Title
		p.Rows = append(p.Rows, overviewRow{
			ServiceSummary: row, URL: "/dashboards/" + row.Service + "?" + rangeQuery(r),
			TrendChart: trendView, Hidden: hiddenNote{row.Title, row.HiddenMonths, o.K},
		})
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "dashboards", p)
}

// Service is GET /dashboards/{service}: one service's charts, figures and comments.
func (s *Pages) Service(c fiber.Ctx) error {
	service := web.Param(c, "service")
	st, r, err := s.stats(c, service)
	if err != nil {
		return err
	}
	filter := commentFilter(c)
	comments, err := s.dashboards.FilteredComments(c.Context(), service, r, filter, web.Query(c, "comments"), dashboards.DefaultCommentLimit)
	if err != nil {
		return err
	}
	themes, err := s.dashboards.CountThemes(c.Context(), service, r)
	if err != nil {
		return err
	}
	cmp, err := s.dashboards.Compare(c.Context(), service, r)
	if err != nil {
		return err
	}
	tally, err := s.dashboards.TallyComments(c.Context(), service, r)
	if err != nil {
		return err
	}
	risk, err := s.dashboards.RiskComments(c.Context(), service, r)
	if err != nil {
		return err
	}
	base := "/dashboards/" + service
	p := servicePage{Compare: newCompareView(cmp, st.K), Workbench: s.workbench(service, r, filter, themes, comments),
		Tally: tally, Risk: risk, Guidance: paragraphs(s.dashboards.SafeguardingGuidance()),
		Page: s.page(c, serviceName(service)), Stats: st, Period: s.periodNav(base, r),
		Hidden:    hiddenNote{HiddenMonths: st.HiddenMonths, K: st.K},
		ExportURL: base + "/export.csv?" + rangeQuery(r),
	}
	for _, other := range s.dashboards.Services() {
		p.Services = append(p.Services, navLink{Label: serviceName(other), URL: "/dashboards/" + other + "?" + rangeQuery(r), Current: other == service})
	}
	scope := map[string]string{}
	for _, q := range st.Questions {
		if q.Scope == dashboards.ScopeVersion {
			scope["question-"+q.Key] = "This question was asked differently in other versions of the survey: only answers to this wording are counted, from months where that version had at least " + strconv.Itoa(st.K) + " responses."
		}
	}
	charts, err := s.serviceCharts(c, st, scope)
	if err != nil {
		return err
	}
	p.Charts = charts
	for _, m := range st.Months {
		if m.VersionChange {
			p.VersionChanges = append(p.VersionChanges, monthName(m.Month))
		}
	}
	for _, cm := range comments.Comments {
		if n := len(p.Comments); n == 0 || p.Comments[n-1].Month != cm.Month {
			p.Comments = append(p.Comments, commentMonth{Month: cm.Month})
		}
		last := &p.Comments[len(p.Comments)-1]
		last.Comments = append(last.Comments, cm)
	}
	if comments.Next != "" {
		q := commentQuery(r, filter)
		q.Set("comments", comments.Next)
		p.MoreComments = base + "?" + q.Encode() + "#comments"
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "dashboard", p)
}

// Chart serves /dashboards/{service}/charts/{chart}.svg (for the
// page), .png (a download, drawn at twice the size) or .csv (its figures).
func (s *Pages) Chart(c fiber.Ctx) error {
	service := web.Param(c, "service")
	name, ext, ok := cutLast(web.Param(c, "chart"), ".")
	if !ok {
		return dashboards.ErrUnknownChart
	}
	r, err := Period(c, s.dashboards)
	if err != nil {
		return err
	}
	filename := downloadName(service, name, r, ext)
	switch ext {
	case "svg", "png":
		f := dashboards.Format(ext)
		b, err := s.dashboards.Chart(c.Context(), service, r, name, f)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, f.ContentType())
		if f == dashboards.PNG {
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
		}
		return c.Send(b)
	case "csv":
		st, err := s.dashboards.Service(c.Context(), service, r)
		if err != nil {
			return err
		}
		ch, ok := dashboards.ChartByName(st, name)
		if !ok {
			return dashboards.ErrUnknownChart
		}
		var b bytes.Buffer
		if err := dashboards.WriteChartCSV(&b, ch); err != nil {
			return err
		}
		return sendCSV(c, filename, b.Bytes())
	}
	return dashboards.ErrUnknownChart
}

// Export is the CSV of the figures behind every chart of a service.
func (s *Pages) Export(c fiber.Ctx) error {
	service := web.Param(c, "service")
	st, r, err := s.stats(c, service)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := dashboards.WriteChartsCSV(&b, st); err != nil {
		return err
	}
	return sendCSV(c, downloadName(service, "charts", r, "csv"), b.Bytes())
}

// FFTReturn is the monthly Friends and Family Test return for every
// service, in the shape NHS England collects.
func (s *Pages) FFTReturn(c fiber.Ctx) error {
	r, err := Period(c, s.dashboards)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := s.dashboards.WriteFFTReturn(c.Context(), &b, r, s.dashboards.OrganisationCode()); err != nil {
		return err
	}
	return sendCSV(c, downloadName("fft-return", "", r, "csv"), b.Bytes())
}

func sendCSV(c fiber.Ctx, filename string, body []byte) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.Send(body)
}

// downloadName is a file name like counselling-fft-2025-12-to-2026-11.png,
// made of the known service and chart names (web.Checked before it is sent).
func downloadName(service, chart string, r dashboards.Range, ext string) string {
	parts := []string{service}
	if chart != "" {
		parts = append(parts, chart)
	}
	name := strings.Join(parts, "-") + "-" + r.From + "-to-" + r.To + "." + ext
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, name)
}

// paragraphs splits plain text at blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// stats reads the period asked for and the service's figures for it.
func (s *Pages) stats(c fiber.Ctx, service string) (*dashboards.ServiceStats, dashboards.Range, error) {
	r, err := Period(c, s.dashboards)
	if err != nil {
		return nil, r, err
	}
	st, err := s.dashboards.Service(c.Context(), service, r)
	return st, r, err
}

// serviceCharts lays out a service's charts. A period shorter than a year
// draws its control charts over the TrendMonths ending with it instead: a
// month alone is one dot, not a process.
func (s *Pages) serviceCharts(c fiber.Ctx, st *dashboards.ServiceStats, scope map[string]string) ([]chartView, error) {
	trend := st
	if len(st.Range.Months()) < 12 {
		tr := dashboards.TrendRange(st.Range)
		var err error
		if trend, err = s.dashboards.Service(c.Context(), st.Service, tr); err != nil {
			return nil, err
		}
	}
	var out []chartView
	for _, ch := range dashboards.Charts(st) {
		if ch.SPC == nil || trend == st {
			out = append(out, newChartView(st, ch, scope[ch.Name]))
			continue
		}
		tc, _ := dashboards.ChartByName(trend, ch.Name)
		out = append(out, newChartView(trend, tc, "Drawn over the "+strconv.Itoa(dashboards.TrendMonths)+" months to "+monthName(st.Range.To)+", so that signal can be told from noise."))
	}
	return out, nil
}

// Notices is POST /dashboards/notices: the signed-in lead opts in to an
// e-mail when a month is published, or out.
func (s *Pages) Notices(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	sess := staff.SessionOf(c)
	if sess == nil {
		return fiber.ErrForbidden
	}
	if err := s.dashboards.Subscribe(c.Context(), sess.Email, form.Get("notices") == web.Checked); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/dashboards#notices")
}
