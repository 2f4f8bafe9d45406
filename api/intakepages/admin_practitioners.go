package intakepages

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Practitioners: the counsellors and peer-support doctors callers are routed
// to, managed by admins. Every change is audited with the practitioner's id.

type practitionersPage struct {
	web.Page
	Practitioners []intake.Practitioner
	Kinds         []web.Choice
	Form          web.Values
	Problems      field.Errors
	Notice        string
}

// Practitioners is GET /admin/practitioners: the list and the add form.
func (s *Pages) Practitioners(c fiber.Ctx) error {
	return s.renderPractitioners(c, fiber.StatusOK, practitionersPage{Form: web.Values{"active": {web.Checked}}})
}

func (s *Pages) renderPractitioners(c fiber.Ctx, status int, p practitionersPage) error {
	list, err := s.intake.Practitioners(c.Context(), "")
	if err != nil {
		return fmt.Errorf("list practitioners: %w", err)
	}
	p.Page = s.staff.Page(c, "Practitioners")
	p.Invalid = p.Problems != nil
	p.Practitioners, p.Kinds = list, kindChoices
	return s.site.Render(c, status, s.templates, "practitioners", p)
}

// practitionerFrom reads the add and edit forms. A capacity that is not a
// whole number is a problem of the form, not of the domain.
func practitionerFrom(form url.Values) (intake.PractitionerDetails, field.Errors) {
	d := intake.PractitionerDetails{Name: form.Get("name"), Kind: intake.PractitionerKind(form.Get("kind")),
		Phone: strings.TrimSpace(form.Get("phone")), Active: form.Get("active") == web.Checked,
		AccountEmail: strings.TrimSpace(form.Get("account_email"))}
	var problems field.Errors
	capacity := strings.TrimSpace(form.Get("weekly_capacity"))
	n, err := strconv.Atoi(capacity)
	switch {
	case capacity == "":
		problems.Add("weekly_capacity", "Enter the weekly capacity, as a number of callers")
	case err != nil:
		problems.Add("weekly_capacity", "Enter the weekly capacity as a whole number, like 10")
	default:
		d.WeeklyCapacity = n
	}
	return d, problems
}

// AddPractitioner is POST /admin/practitioners.
func (s *Pages) AddPractitioner(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	again := func(a web.Again) error {
		return s.renderPractitioners(c, a.Status, practitionersPage{Form: web.Values(form), Problems: a.Problems})
	}
	d, problems := practitionerFrom(form)
	if problems != nil {
		return again(web.Again{Status: fiber.StatusUnprocessableEntity, Problems: problems})
	}
	added, err := s.intake.AddPractitioner(c.Context(), d)
	if err != nil {
		return web.ShowAgain(fmt.Errorf("add practitioner: %w", err), nil, again)
	}
	if err := s.staff.Audit(c, actionPractitionerAdded, added.ID); err != nil {
		return err
	}
	return s.renderPractitioners(c, fiber.StatusOK, practitionersPage{Notice: added.Name + " added.", Form: web.Values{"active": {web.Checked}}})
}

type practitionerPage struct {
	web.Page
	ID       string
	Kinds    []web.Choice
	Form     web.Values
	Problems field.Errors
}

// EditPractitioner is GET /admin/practitioners/{id}.
func (s *Pages) EditPractitioner(c fiber.Ctx) error {
	p, err := s.intake.Practitioner(c.Context(), web.Param(c, "id"))
	if err != nil {
		return fmt.Errorf("edit practitioner: %w", err)
	}
	form := web.Values{"name": {p.Name}, "kind": {string(p.Kind)}, "phone": {intake.FormatPhone(p.Phone)}, "account_email": {p.AccountEmail},
		"weekly_capacity": {strconv.Itoa(p.WeeklyCapacity)}}
	if p.Active {
		form["active"] = []string{web.Checked}
	}
	return s.renderPractitioner(c, fiber.StatusOK, practitionerPage{ID: p.ID, Form: form})
}

func (s *Pages) renderPractitioner(c fiber.Ctx, status int, p practitionerPage) error {
	p.Page = s.staff.Page(c, "Edit practitioner")
	p.Invalid = p.Problems != nil
	p.Kinds = kindChoices
	return s.site.Render(c, status, s.templates, "practitioner", p)
}

// UpdatePractitioner is POST /admin/practitioners/{id}.
func (s *Pages) UpdatePractitioner(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	id := web.Param(c, "id")
	again := func(a web.Again) error {
		return s.renderPractitioner(c, a.Status, practitionerPage{ID: id, Form: web.Values(form), Problems: a.Problems})
	}
	d, problems := practitionerFrom(form)
	if problems != nil {
		return again(web.Again{Status: fiber.StatusUnprocessableEntity, Problems: problems})
	}
	if _, err := s.intake.UpdatePractitioner(c.Context(), id, d); err != nil {
		return web.ShowAgain(fmt.Errorf("update practitioner: %w", err), nil, again)
	}
	if err := s.staff.Audit(c, actionPractitionerChanged, id); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/practitioners")
}

// SetPractitionerActive starts or stops routing callers to a practitioner.
func (s *Pages) SetPractitionerActive(active bool) fiber.Handler {
	action := actionPractitionerStopped
	if active {
		action = actionPractitionerActivated
	}
	return func(c fiber.Ctx) error {
		id := web.Param(c, "id")
		if err := s.intake.SetPractitionerActive(c.Context(), id, active); err != nil {
			return fmt.Errorf("activate or deactivate practitioner: %w", err)
		}
		if err := s.staff.Audit(c, action, id); err != nil {
			return err
		}
		return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/practitioners")
	}
}
