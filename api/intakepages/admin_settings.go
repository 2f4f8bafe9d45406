package intakepages

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Intake's settings, changed by admins: how often at most one person is sent
// a survey invitation. Every change is audited.

type intakeSettingsPage struct {
	web.Page
	Settings intake.Settings
	Form     web.Values
	Problems field.Errors
	Notice   string
	Min, Max int
}

// IntakeSettings is GET /admin/intake-settings.
func (s *Pages) IntakeSettings(c fiber.Ctx) error {
	return s.renderIntakeSettings(c, fiber.StatusOK, intakeSettingsPage{})
}

func (s *Pages) renderIntakeSettings(c fiber.Ctx, status int, p intakeSettingsPage) error {
	st, err := s.intake.Settings(c.Context())
	if err != nil {
		return err
	}
	if p.Form == nil {
		p.Form = web.Values{intake.TextIntervalField: {strconv.Itoa(st.TextIntervalDays)}}
	}
	p.Page = s.staff.Page(c, "Intake settings")
	p.Invalid = p.Problems != nil
	p.Settings, p.Min, p.Max = st, intake.MinTextIntervalDays, intake.MaxTextIntervalDays
	return s.site.Render(c, status, s.templates, "intake_settings", p)
}

// SaveIntakeSettings is POST /admin/intake-settings.
func (s *Pages) SaveIntakeSettings(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	again := func(a web.Again) error {
		return s.renderIntakeSettings(c, a.Status, intakeSettingsPage{Form: web.Values(form), Problems: a.Problems})
	}
	days, err := intake.ParseTextInterval(form.Get(intake.TextIntervalField))
	if err == nil {
		_, err = s.intake.SetSettings(c.Context(), intake.Settings{TextIntervalDays: days}, staff.SessionOf(c).Email)
	}
	if err != nil {
		return web.ShowAgain(err, nil, again)
	}
	if err := s.staff.Audit(c, actionIntakeSettingsChanged, "intake"); err != nil {
		return err
	}
	return s.renderIntakeSettings(c, fiber.StatusOK, intakeSettingsPage{Notice: "Settings saved."})
}
