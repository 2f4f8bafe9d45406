package intakepages

import (
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

// mergeRefusals are shown beside the references.
var mergeRefusals = web.Answers{
	{Is: intake.ErrSamePerson, Status: fiber.StatusUnprocessableEntity, Field: "merge", Message: "Enter two different record references"},
	{Is: intake.ErrNotFound, Status: fiber.StatusUnprocessableEntity, Field: "keep", Message: "No record has one of these references: check both"},
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
	again := func(a web.Again) error {
		p := mergePage{Page: s.staff.Page(c, "Merge records"), Form: web.Values(form), Problems: a.Problems}
		p.Invalid = true
		return s.site.Render(c, a.Status, s.templates, "merge", p)
	}
	if problems != nil {
		return again(web.Again{Status: fiber.StatusUnprocessableEntity, Problems: problems})
	}
	if _, err = s.intake.Merge(c.Context(), keep, gone); err != nil {
		return web.ShowAgain(fmt.Errorf("merge: %w", err), mergeRefusals, again)
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
