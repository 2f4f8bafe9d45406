package surveyadmin

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// NamesPath is the page of the practitioners' names every comment is checked for.
const NamesPath = "/admin/comment-names"

// ActionCommentNamesSaved is audited with the number of names as its target,
// never the names.
const ActionCommentNamesSaved accounts.Action = "comment_names_saved"

type namesPage struct {
	web.Page
	Names    string
	Problems field.Errors
	Errors   []string // every problem with the names, beside the field
	Saved    string
}

// NamesForm is GET /admin/comment-names: the names, one a line.
func (p *Pages) NamesForm(c fiber.Ctx) error {
	names, err := p.library.PractitionerNames(c.Context())
	if err != nil {
		return err
	}
	text := strings.Join(names, "\n")
	if len(names) > 0 {
		text += "\n"
	}
	return p.renderNames(c, fiber.StatusOK, text, nil, web.Query(c, "saved"))
}

// SaveNames is POST /admin/comment-names: replace the names, audit it, and
// have this instance's comment check use them at once (others follow within
// a minute).
func (p *Pages) SaveNames(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	text := form.Get(survey.NamesField)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if err := p.library.SetPractitionerNames(c.Context(), lines, staff.SessionOf(c).Email); err != nil {
		return web.ShowAgain(err, nil, func(a web.Again) error {
			return p.renderNames(c, a.Status, text, a.Problems, "")
		})
	}
	names, err := p.library.PractitionerNames(c.Context())
	if err != nil {
		return err
	}
	if err := p.staff.Audit(c, ActionCommentNamesSaved, strconv.Itoa(len(names))); err != nil {
		return err
	}
	if err := p.namesSaved(c.Context()); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(NamesPath + "?saved=" + strconv.Itoa(len(names)))
}

func (p *Pages) renderNames(c fiber.Ctx, status int, text string, problems field.Errors, saved string) error {
	page := namesPage{Page: p.staff.Page(c, "Names to generalise in comments"), Names: text, Problems: problems}
	page.Invalid = problems != nil
	for _, f := range problems {
		page.Errors = append(page.Errors, f.Message)
	}
	if _, err := strconv.Atoi(saved); err == nil {
		page.Saved = saved
	}
	return p.site.Render(c, status, p.templates, "names", page)
}
