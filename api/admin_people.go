package api

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/intake"
)

// Subject access and erasure, for admins. An admin works from the record
// reference a call handler gives them (shown on a person's history page) and
// never browses or searches callers' records: the export is handed over, not
// read on screen, and the erasure page names only the reference.

type peopleAdminPage struct {
	page
	ID       string
	Found    bool
	Problems fieldErrors
	Notice   string
	Confirm  bool
}

// adminPeople asks for a record reference and offers the export and erasure.
func (s *Server) adminPeople(c fiber.Ctx) error {
	p := peopleAdminPage{page: s.staffPage(c, "Subject access and erasure"), ID: strings.TrimSpace(c.Query("id"))}
	status := fiber.StatusOK
	if p.ID != "" {
		_, err := s.intake.Person(c.Context(), p.ID)
		switch {
		case errors.Is(err, intake.ErrNotFound):
			p.Problems.add("id", "There is no record with this reference")
		case err != nil:
			return fmt.Errorf("find record: %w", err)
		default:
			p.Found = true
		}
	}
	if p.Problems != nil {
		p.Invalid, status = true, fiber.StatusNotFound
	}
	return s.render(c, status, "people_admin", p)
}

// adminExportPerson downloads everything held about a person as JSON.
func (s *Server) adminExportPerson(c fiber.Ctx) error {
	id := c.Params("id")
	body, err := s.intake.ExportJSON(c.Context(), id)
	if errors.Is(err, intake.ErrNotFound) {
		return s.recordNotFound(c)
	}
	if err != nil {
		return fmt.Errorf("export person: %w", err)
	}
	if err := s.audit(c, actionPersonExported, id); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="subject-access-`+url.PathEscape(id)+`.json"`)
	return c.Send(body)
}

// adminEraseForm asks the admin to confirm the erasure.
func (s *Server) adminEraseForm(c fiber.Ctx) error {
	return s.renderErase(c, fiber.StatusOK, nil)
}

func (s *Server) renderErase(c fiber.Ctx, status int, problems fieldErrors) error {
	id := c.Params("id")
	if _, err := s.intake.Person(c.Context(), id); errors.Is(err, intake.ErrNotFound) {
		return s.recordNotFound(c)
	} else if err != nil {
		return fmt.Errorf("erase person: %w", err)
	}
	p := peopleAdminPage{page: s.staffPage(c, "Erase a person's record"), ID: id, Found: true, Problems: problems, Confirm: true}
	p.Invalid = problems != nil
	return s.render(c, status, "person_erase", p)
}

// adminErasePerson erases the person once the admin has ticked the confirmation.
func (s *Server) adminErasePerson(c fiber.Ctx) error {
	form, err := s.form(c)
	if err != nil {
		return err
	}
	if form.Get("confirm") != checked {
		return s.renderErase(c, fiber.StatusUnprocessableEntity, fieldErrors{{"confirm", "Tick the box to confirm the erasure"}})
	}
	id := c.Params("id")
	err = s.intake.Erase(c.Context(), id)
	if errors.Is(err, intake.ErrNotFound) {
		return s.recordNotFound(c)
	}
	if err != nil {
		return fmt.Errorf("erase person: %w", err)
	}
	if err := s.audit(c, actionPersonErased, id); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "person_erase", peopleAdminPage{page: s.staffPage(c, "Record erased"), ID: id,
		Notice: "Record " + id + " has been erased: the person, their contacts and any survey text waiting for them."})
}
