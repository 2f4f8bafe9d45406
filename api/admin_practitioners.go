package api

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/intake"
)

// Practitioners: the counsellors and peer-support doctors callers are routed
// to, managed by admins. Every change is audited with the practitioner's id.

var kindChoices = []choice{{string(intake.Counsellor), "Counsellor"}, {string(intake.PeerSupporter), "Peer-support doctor"}}

type practitionersPage struct {
	page
	Practitioners []intake.Practitioner
	Kinds         []choice
	Form          formValues
	Problems      fieldErrors
	Notice        string
}

func (s *Server) adminPractitioners(c fiber.Ctx) error {
	return s.renderPractitioners(c, fiber.StatusOK, practitionersPage{Form: formValues{"active": {checked}}})
}

func (s *Server) renderPractitioners(c fiber.Ctx, status int, p practitionersPage) error {
	list, err := s.intake.Practitioners(c.Context(), "")
	if err != nil {
		return fmt.Errorf("list practitioners: %w", err)
	}
	p.page = s.staffPage(c, "Practitioners")
	p.Invalid = p.Problems != nil
	p.Practitioners, p.Kinds = list, kindChoices
	return s.render(c, status, "practitioners", p)
}

// practitionerFrom reads the add and edit forms. A capacity that is not a
// whole number is a problem of the form, not of the domain.
func practitionerFrom(form url.Values) (intake.PractitionerDetails, fieldErrors) {
	d := intake.PractitionerDetails{Name: form.Get("name"), Kind: intake.PractitionerKind(form.Get("kind")),
		Phone: strings.TrimSpace(form.Get("phone")), Active: form.Get("active") == checked}
	var problems fieldErrors
	capacity := strings.TrimSpace(form.Get("weekly_capacity"))
	n, err := strconv.Atoi(capacity)
	switch {
	case capacity == "":
		problems.add("weekly_capacity", "Enter the weekly capacity, as a number of callers")
	case err != nil:
		problems.add("weekly_capacity", "Enter the weekly capacity as a whole number, like 10")
	default:
		d.WeeklyCapacity = n
	}
	return d, problems
}

// fieldProblems turns the domain's field errors into the form's, after any the
// form found itself.
func fieldProblems(problems fieldErrors, err error) (fieldErrors, bool) {
	var invalid *intake.InvalidError
	if !errors.As(err, &invalid) {
		return problems, false
	}
	for _, f := range invalid.Fields {
		if problems.For(f.Field) == "" {
			problems.add(f.Field, f.Message)
		}
	}
	return problems, true
}

func (s *Server) adminAddPractitioner(c fiber.Ctx) error {
	form, err := s.form(c)
	if err != nil {
		return err
	}
	d, problems := practitionerFrom(form)
	var added intake.Practitioner
	if problems == nil {
		added, err = s.intake.AddPractitioner(c.Context(), d)
		var invalid bool
		if problems, invalid = fieldProblems(problems, err); err != nil && !invalid {
			return fmt.Errorf("add practitioner: %w", err)
		}
	}
	if problems != nil {
		return s.renderPractitioners(c, fiber.StatusUnprocessableEntity, practitionersPage{Form: formValues(form), Problems: problems})
	}
	if err := s.audit(c, actionPractitionerAdded, added.ID); err != nil {
		return err
	}
	return s.renderPractitioners(c, fiber.StatusOK, practitionersPage{Notice: added.Name + " added.", Form: formValues{"active": {checked}}})
}

type practitionerPage struct {
	page
	ID       string
	Kinds    []choice
	Form     formValues
	Problems fieldErrors
}

func (s *Server) adminEditPractitioner(c fiber.Ctx) error {
	p, err := s.intake.Practitioner(c.Context(), c.Params("id"))
	if errors.Is(err, intake.ErrNotFound) {
		return s.recordNotFound(c)
	}
	if err != nil {
		return fmt.Errorf("edit practitioner: %w", err)
	}
	form := formValues{"name": {p.Name}, "kind": {string(p.Kind)}, "phone": {p.Phone},
		"weekly_capacity": {strconv.Itoa(p.WeeklyCapacity)}}
	if p.Active {
		form["active"] = []string{checked}
	}
	return s.renderPractitioner(c, fiber.StatusOK, practitionerPage{ID: p.ID, Form: form})
}

func (s *Server) renderPractitioner(c fiber.Ctx, status int, p practitionerPage) error {
	p.page = s.staffPage(c, "Edit practitioner")
	p.Invalid = p.Problems != nil
	p.Kinds = kindChoices
	return s.render(c, status, "practitioner", p)
}

func (s *Server) adminUpdatePractitioner(c fiber.Ctx) error {
	form, err := s.form(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	d, problems := practitionerFrom(form)
	if problems == nil {
		_, err = s.intake.UpdatePractitioner(c.Context(), id, d)
		var invalid bool
		problems, invalid = fieldProblems(problems, err)
		switch {
		case errors.Is(err, intake.ErrNotFound):
			return s.recordNotFound(c)
		case err != nil && !invalid:
			return fmt.Errorf("update practitioner: %w", err)
		}
	}
	if problems != nil {
		return s.renderPractitioner(c, fiber.StatusUnprocessableEntity, practitionerPage{ID: id, Form: formValues(form), Problems: problems})
	}
	if err := s.audit(c, actionPractitionerChanged, id); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/practitioners")
}

// adminSetPractitionerActive starts or stops routing callers to a practitioner.
func (s *Server) adminSetPractitionerActive(active bool) fiber.Handler {
	action := actionPractitionerStopped
	if active {
		action = actionPractitionerActivated
	}
	return func(c fiber.Ctx) error {
		id := c.Params("id")
		err := s.intake.SetPractitionerActive(c.Context(), id, active)
		if errors.Is(err, intake.ErrNotFound) {
			return s.recordNotFound(c)
		}
		if err != nil {
			return fmt.Errorf("activate or deactivate practitioner: %w", err)
		}
		if err := s.audit(c, action, id); err != nil {
			return err
		}
		return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/practitioners")
	}
}
