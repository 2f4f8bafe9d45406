package intakepages

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Subject access and erasure, for admins. An admin works from the record
// reference a call handler gives them (shown on a person's history page) and
// never browses or searches callers' records: the export is handed over, not
// read on screen, and the erasure page names only the reference.

type peopleAdminPage struct {
	web.Page
	ID       string
	Found    bool
	Problems field.Errors
	Notice   string
	Confirm  bool
}

// People asks for a record reference and offers the export and erasure.
func (s *Pages) People(c fiber.Ctx) error {
	p := peopleAdminPage{Page: s.staff.Page(c, "Subject access and erasure"), ID: strings.TrimSpace(web.Query(c, "id"))}
	if p.ID != "" {
		if _, err := s.intake.Person(c.Context(), p.ID); err != nil {
			return web.ShowAgain(fmt.Errorf("find record: %w", err), noReference, func(a web.Again) error {
				p.Problems, p.Invalid = a.Problems, true
				return s.site.Render(c, a.Status, s.templates, "people_admin", p)
			})
		}
		p.Found = true
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "people_admin", p)
}

// noReference is shown beside the reference asked for.
var noReference = web.Answers{{Is: intake.ErrNotFound, Status: fiber.StatusNotFound, Field: "id", Message: "There is no record with this reference"}}

// ExportPerson downloads everything held about a person as JSON.
func (s *Pages) ExportPerson(c fiber.Ctx) error {
	id := web.Param(c, "id")
	body, err := s.intake.ExportJSON(c.Context(), id)
	if err != nil {
		return fmt.Errorf("export person: %w", err)
	}
	if err := s.staff.Audit(c, actionPersonExported, id); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="subject-access-`+url.PathEscape(id)+`.json"`)
	return c.Send(body)
}

// EraseForm asks the admin to confirm the erasure.
func (s *Pages) EraseForm(c fiber.Ctx) error {
	return s.renderErase(c, fiber.StatusOK, nil)
}

func (s *Pages) renderErase(c fiber.Ctx, status int, problems field.Errors) error {
	id := web.Param(c, "id")
	if _, err := s.intake.Person(c.Context(), id); err != nil {
		return fmt.Errorf("erase person: %w", err)
	}
	p := peopleAdminPage{Page: s.staff.Page(c, "Erase a person's record"), ID: id, Found: true, Problems: problems, Confirm: true}
	p.Invalid = problems != nil
	return s.site.Render(c, status, s.templates, "person_erase", p)
}

// ErasePerson erases the person once the admin has ticked the confirmation.
func (s *Pages) ErasePerson(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	if form.Get("confirm") != web.Checked {
		return s.renderErase(c, fiber.StatusUnprocessableEntity, field.Errors{{Field: "confirm", Message: "Tick the box to confirm the erasure"}})
	}
	id := web.Param(c, "id")
	if err := s.intake.Erase(c.Context(), id); err != nil {
		return fmt.Errorf("erase person: %w", err)
	}
	if err := s.staff.Audit(c, actionPersonErased, id); err != nil {
		return err
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "person_erase", peopleAdminPage{Page: s.staff.Page(c, "Record erased"), ID: id,
		Notice: "Record " + id + " has been erased: the person, their contacts and any survey text waiting for them."})
}
