package intakepages

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Merging two records of one person is an admin's action, audited on both.

type mergePage struct {
	web.Page
	Form     web.Values
	Problems field.Errors
	Notice   string
}

// MergeForm is GET /admin/people/merge.
func (s *Pages) MergeForm(c fiber.Ctx) error {
	return s.site.Render(c, fiber.StatusOK, s.templates, "merge", mergePage{Page: s.staff.Page(c, "Merge records")})
}

// Merge is POST /admin/people/merge.
func (s *Pages) Merge(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	keep, gone := strings.TrimSpace(form.Get("keep")), strings.TrimSpace(form.Get("merge"))
	var problems field.Errors
	if keep == "" {
		problems.Add("keep", "Enter the record reference to keep")
	}
	if gone == "" {
		problems.Add("merge", "Enter the record reference to merge")
	}
	if form.Get("confirm") != web.Checked {
		problems.Add("confirm", "Confirm that the two records are the same person")
	}
	if problems == nil {
		_, err = s.intake.Merge(c.Context(), keep, gone)
		switch {
		case errors.Is(err, intake.ErrSamePerson):
			problems.Add("merge", "Enter two different record references")
		case errors.Is(err, intake.ErrNotFound):
			problems.Add("keep", "No record has one of these references: check both")
		case err != nil:
			return fmt.Errorf("merge: %w", err)
		}
	}
	p := mergePage{Page: s.staff.Page(c, "Merge records"), Form: web.Values(form), Problems: problems}
	if problems != nil {
		p.Invalid = true
		return s.site.Render(c, fiber.StatusUnprocessableEntity, s.templates, "merge", p)
	}
	if err := s.staff.Audit(c, actionPersonMerged, keep); err != nil {
		return err
	}
	if err := s.staff.Audit(c, actionPersonMergedAway, gone); err != nil {
		return err
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "merge", mergePage{Page: s.staff.Page(c, "Merge records"),
		Notice: "Merged: record " + gone + " is now part of record " + keep + "."})
}
