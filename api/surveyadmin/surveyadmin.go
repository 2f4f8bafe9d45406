// Package surveyadmin serves the admins' survey screens: the services and
// their versions, drafting a new version with the rules checked field by
// field, a preview as a phone shows it with what changes for the dashboards,
// publishing, and rolling back; and the practitioners' names every comment
// is checked for. Every version is kept by survey.Library; the
// rules live in package survey, the joining of versions in dashboards.
package surveyadmin

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/surveypages"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

//go:embed templates/*.html
var templateFS embed.FS

// Audit actions; the target is "service/number", never anything a respondent gave.
const (
	actionSurveyPublished  accounts.Action = "survey_published"
	actionSurveyRolledBack accounts.Action = "survey_rolled_back"
)

// Pages are the survey admin screens.
type Pages struct {
	site       *web.Site
	staff      *staff.Pages
	library    *survey.Library
	surveys    *survey.Catalogue
	phone      *surveypages.Pages
	published  func(context.Context) error
	namesSaved func(context.Context) error
	templates  web.Templates
}

// Deps are what the screens need. Published applies a publish to this
// instance at once; other instances follow the library on their own.
type Deps struct {
	Site      *web.Site
	Staff     *staff.Pages
	Library   *survey.Library
	Surveys   *survey.Catalogue
	Phone     *surveypages.Pages
	Published func(context.Context) error
	// NamesSaved has this instance's comment check use the practitioners'
	// names at once, after an admin saved them (others follow on their own).
	NamesSaved func(context.Context) error
}

// New parses the templates.
func New(d Deps) (*Pages, error) {
	if d.Library == nil || d.Surveys == nil || d.Published == nil || d.NamesSaved == nil {
		return nil, errors.New("surveyadmin: a library, a catalogue, a publish hook and a names hook are needed")
	}
	funcs := template.FuncMap{
		"month": monthName,
		"add":   func(a, b int) int { return a + b },
		"area":  newAreaView,
		"basis": basisChoices,
		"lines": addressLines,
	}
	t, err := web.ParseTemplates(templateFS, funcs, []string{"diff"}, "surveys", "service", "draft", "preview", "names", "compare", "confirm", "notice")
	if err != nil {
		return nil, err
	}
	d.Site.Answer(staff.NoRecord(survey.ErrNoSuchDraft))
	return &Pages{site: d.Site, staff: d.Staff, library: d.Library, surveys: d.Surveys, phone: d.Phone,
		published: d.Published, namesSaved: d.NamesSaved, templates: t}, nil
}

type serviceRow struct {
	Service, Title string
	Current        *survey.Published
}

// List is GET /admin/surveys: every service and its current version.
func (p *Pages) List(c fiber.Ctx) error {
	var rows []serviceRow
	for _, d := range p.surveys.All() {
		history, err := p.library.History(c.Context(), d.Service)
		if err != nil {
			return err
		}
		row := serviceRow{Service: d.Service, Title: d.Title}
		if n := len(history); n > 0 {
			row.Current = history[n-1]
		}
		rows = append(rows, row)
	}
	return p.site.Render(c, fiber.StatusOK, p.templates, "surveys", struct {
		web.Page
		Services []serviceRow
	}{p.staff.Page(c, "Surveys"), rows})
}

type servicePage struct {
	web.Page
	Service string
	Compare comparing
	History []*survey.Published // newest first
	Current int
	Notice  string
	Problem string
}

// Service is GET /admin/surveys/{service}: its versions, newest first, each
// with what changed from the one before and a link to roll back to it, and a
// form to compare any two.
func (p *Pages) Service(c fiber.Ctx) error {
	return p.renderService(c, fiber.StatusOK, web.Param(c, "service"), web.Query(c, "published"), "")
}

func (p *Pages) renderService(c fiber.Ctx, status int, service, published, problem string) error {
	history, err := p.library.History(c.Context(), service)
	if err != nil {
		return err
	}
	if len(history) == 0 {
		return p.site.NotFound(c)
	}
	n := len(history)
	page := servicePage{Page: p.staff.Page(c, "Survey versions: "+service),
		Service: service, Compare: newComparing(service, history, max(n-1, 1), n), Current: history[n-1].Number, Problem: problem}
	if published != "" {
		page.Notice = "Published as number " + published + ". The survey pages and dashboards use it now."
	}
	for i := len(history) - 1; i >= 0; i-- {
		page.History = append(page.History, history[i])
	}
	return p.site.Render(c, status, p.templates, "service", page)
}

// Export is GET /admin/surveys/{service}/export.json[?number=N]: a version's
// file, as `feedback surveys export` prints it.
func (p *Pages) Export(c fiber.Ctx) error {
	history, err := p.library.History(c.Context(), web.Param(c, "service"))
	if err != nil {
		return err
	}
	if len(history) == 0 {
		return p.site.NotFound(c)
	}
	v := history[len(history)-1]
	if n, err := strconv.Atoi(web.Query(c, "number")); err == nil && n >= 1 && n <= len(history) {
		v = history[n-1]
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%d.json"`, v.Service, v.Number))
	return c.Send(v.File)
}

// Rollback is POST /admin/surveys/{service}/rollback: publish number again,
// confirmed on the page ConfirmRollback shows.
func (p *Pages) Rollback(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	service := web.Param(c, "service")
	n, _ := strconv.Atoi(form.Get("number"))
	pub, err := p.library.Rollback(c.Context(), service, n, staff.SessionOf(c).Email)
	if err != nil {
		// Unwrapped: a refusal's notice is the library's own words.
		return web.ShowAgain(err, rollbackRefusals, func(a web.Again) error {
			return p.renderService(c, a.Status, service, "", a.Notice)
		})
	}
	return p.afterPublish(c, actionSurveyRolledBack, pub)
}

// rollbackRefusals are shown above the versions again.
var rollbackRefusals = web.Answers{
	{Is: survey.ErrUnchanged, Status: fiber.StatusConflict, Message: "That version is the current one already: nothing changed."},
	{Is: survey.ErrPublishConflict, Status: fiber.StatusConflict, Explain: error.Error},
	{Is: survey.ErrNoSuchVersion, Status: fiber.StatusConflict, Explain: error.Error},
}

// afterPublish audits a publish, applies it here and shows the versions.
func (p *Pages) afterPublish(c fiber.Ctx, action accounts.Action, pub *survey.Published) error {
	if err := p.staff.Audit(c, action, pub.Service+"/"+strconv.Itoa(pub.Number)); err != nil {
		return err
	}
	if err := p.published(c.Context()); err != nil {
		return fmt.Errorf("apply published survey: %w", err)
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/surveys/" + pub.Service + "?published=" + strconv.Itoa(pub.Number))
}

// areaView is a textarea with its label, hint and error, for the "area" template.
type areaView struct {
	Name, Label, Hint, Value, Error string
	Rows                            int
}

func newAreaView(form web.Values, problems field.Errors, name, label, hint string, rows int) areaView {
	return areaView{Name: name, Label: label, Hint: hint, Value: form.Text(name), Error: problems.For(name), Rows: rows}
}

// monthName is "November 2026" for "2026-11". The moment of a publish is in the audit log.
func monthName(m string) string {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return m
	}
	return t.Format("January 2006")
}
