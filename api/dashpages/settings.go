package dashpages

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/field"
)

// actionSPCSettingSaved audits a change of a measure's target or baseline;
// the record is service|measure.
const actionSPCSettingSaved accounts.Action = "spc_setting_saved"

type settingPage struct {
	web.Page
	Service, ServiceName string
	Measure              dashboards.Measure
	Action, Back         string
	Form                 web.Values
	Problems             field.Errors
}

// SettingForm is GET /dashboards/{service}/spc?measure={measure}: the target and
// baseline of one measure's control chart.
func (s *Pages) SettingForm(c fiber.Ctx) error {
	service, m, err := s.measure(c)
	if err != nil {
		return err
	}
	set, err := s.dashboards.Setting(c.Context(), service, m.Name)
	if err != nil {
		return err
	}
	form := web.Values{"baseline": {set.Baseline}}
	if set.Target != nil {
		form["target"] = []string{strconv.FormatFloat(*set.Target, 'f', -1, 64)}
	}
	return s.renderSetting(c, fiber.StatusOK, service, m, form, nil)
}

// SaveSetting is POST /dashboards/{service}/spc?measure={measure}.
func (s *Pages) SaveSetting(c fiber.Ctx) error {
	service, m, err := s.measure(c)
	if err != nil {
		return err
	}
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	set := dashboards.MeasureSetting{Service: service, Measure: m.Name, Baseline: strings.TrimSpace(form.Get("baseline"))}
	var problems field.Errors
	if t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(form.Get("target")), "%")); t != "" {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			problems.Add("target", "Enter the target as a number, like 80, or leave it empty")
		} else {
			set.Target = &v
		}
	}
	again := func(a web.Again) error {
		return s.renderSetting(c, a.Status, service, m, web.Values(form), a.Problems)
	}
	if problems != nil {
		return again(web.Again{Status: fiber.StatusUnprocessableEntity, Problems: problems})
	}
	if err := s.dashboards.SaveSetting(c.Context(), set); err != nil {
		return web.ShowAgain(err, web.Answers{
			{Is: dashboards.ErrBaseline, Status: fiber.StatusUnprocessableEntity, Field: "baseline", Message: "Enter the baseline as a month, like 2026-04, or leave it empty"},
			{Is: dashboards.ErrTarget, Status: fiber.StatusUnprocessableEntity, Field: "target", Message: fmt.Sprintf("Enter a target from %v to %v, or leave it empty", m.Min, m.Max)},
		}, again)
	}
	if err := s.staff.Audit(c, actionSPCSettingSaved, service+"|"+m.Name); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/dashboards/" + service + "#chart-" + service + "-" + m.Name)
}

func (s *Pages) renderSetting(c fiber.Ctx, status int, service string, m dashboards.Measure, form web.Values, problems field.Errors) error {
	p := settingPage{Page: s.page(c, m.Title+": target and baseline"), Service: service, ServiceName: serviceName(service), Measure: m,
		Action: "/dashboards/" + service + "/spc?measure=" + m.Name, Back: "/dashboards/" + service, Form: form, Problems: problems}
	p.Invalid = problems != nil
	return s.site.Render(c, status, s.templates, "setting", p)
}

// measure reads the service and measure of a settings address.
func (s *Pages) measure(c fiber.Ctx) (string, dashboards.Measure, error) {
	service := web.Param(c, "service")
	if !slices.Contains(s.dashboards.Services(), service) {
		return "", dashboards.Measure{}, dashboards.ErrUnknownService
	}
	m, ok := dashboards.MeasureByName(web.Query(c, "measure"))
	if !ok {
		return "", dashboards.Measure{}, dashboards.ErrUnknownChart
	}
	return service, m, nil
}
