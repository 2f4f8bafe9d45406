// Package yousaidpages serves the quality leads' "You said, we did" screens:
// per service and month, what changed because of feedback, in English and
// optionally Welsh, written, edited and removed here and shown on the
// survey's thank-you page and its public page (package surveypages). The
// entries and their rules belong to package survey (yousaid.go); every
// change is audited with the service and month, never the text.
package yousaidpages

import (
	"embed"
	"errors"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

//go:embed templates/*.html
var templateFS embed.FS

// Path is the index of every service's entries; a service's own page is
// /dashboards/{service}/you-said-we-did.
const Path = "/dashboards/you-said-we-did"

// Audit actions; the target is "service/month".
const (
	actionSaved   accounts.Action = "you_said_saved"
	actionRemoved accounts.Action = "you_said_removed"
)

// refusals are the errors a save shows the form again with, as a notice.
var refusals = web.Answers{{Is: survey.ErrYouSaidConflict, Status: fiber.StatusConflict, Message: survey.ErrYouSaidConflict.Error()}}

// Pages are the "You said, we did" screens.
type Pages struct {
	site      *web.Site
	staff     *staff.Pages
	library   *survey.Library
	surveys   *survey.Catalogue
	now       func() time.Time
	templates web.Templates
}

// New parses the templates. Routes run staff's middleware first, so a
// handler here always has a signed-in quality lead.
func New(site *web.Site, staffPages *staff.Pages, library *survey.Library, surveys *survey.Catalogue, now func() time.Time) (*Pages, error) {
	if library == nil || surveys == nil || now == nil {
		return nil, errors.New("yousaidpages: a library, a catalogue and a clock are needed")
	}
	funcs := template.FuncMap{"month": monthName, "paragraphs": survey.Paragraphs, "text": newTextView}
	t, err := web.ParseTemplates(templateFS, funcs, nil, "index", "service")
	if err != nil {
		return nil, err
	}
	return &Pages{site: site, staff: staffPages, library: library, surveys: surveys, now: now, templates: t}, nil
}

type indexRow struct {
	Service, Title string
	Latest         string // the month of the latest entry, or ""
	Count          int
}

// Index is GET /dashboards/you-said-we-did: every service, and the month of
// its latest entry.
func (p *Pages) Index(c fiber.Ctx) error {
	var rows []indexRow
	for _, d := range p.surveys.All() {
		entries, err := p.library.YouSaid(c.Context(), d.Service)
		if err != nil {
			return err
		}
		row := indexRow{Service: d.Service, Title: d.Title, Count: len(entries)}
		if len(entries) > 0 {
			row.Latest = entries[0].Month
		}
		rows = append(rows, row)
	}
	return p.site.Render(c, fiber.StatusOK, p.templates, "index", struct {
		web.Page
		Rows []indexRow
	}{p.staff.Page(c, "You said, we did"), rows})
}

type servicePage struct {
	web.Page
	Service, Title string
	Entries        []survey.YouSaid
	Form           web.Values
	Problems       field.Errors
	Editing        bool
	Notice         string
	Max, Length    int
}

// Service is GET /dashboards/{service}/you-said-we-did: the service's
// entries, and the form to write one (?month= opens that month's to edit).
func (p *Pages) Service(c fiber.Ctx) error {
	d, ok := p.definition(c)
	if !ok {
		return p.site.NotFound(c)
	}
	entries, err := p.library.YouSaid(c.Context(), d.Service)
	if err != nil {
		return err
	}
	form := web.Values{survey.YouSaidMonthField: {survey.Month(p.now())}}
	editing := false
	if m := web.Query(c, "month"); m != "" {
		for _, e := range entries {
			if e.Month == m {
				form = web.Values{survey.YouSaidMonthField: {e.Month}, survey.YouSaidEnglishField: {e.English}, survey.YouSaidWelshField: {e.Welsh}}
				editing = true
			}
		}
	}
	notice := ""
	switch web.Query(c, "done") {
	case "saved":
		notice = "Saved. The survey's thank-you page and its “You said, we did” page show it now (other instances of the service within a minute)."
	case "removed":
		notice = "Removed. The survey's pages no longer show it."
	}
	return p.render(c, fiber.StatusOK, d, entries, form, nil, editing, notice)
}

// Save is POST /dashboards/{service}/you-said-we-did: write the month's
// entry, replacing one already written for it, and audit it.
func (p *Pages) Save(c fiber.Ctx) error {
	d, ok := p.definition(c)
	if !ok {
		return p.site.NotFound(c)
	}
	values, err := web.Form(c)
	if err != nil {
		return err
	}
	form := web.Values(values)
	e := survey.YouSaid{Month: form.Text(survey.YouSaidMonthField), English: form.Text(survey.YouSaidEnglishField),
		Welsh: form.Text(survey.YouSaidWelshField)}
	if err := p.library.SaveYouSaid(c.Context(), d.Service, e, staff.SessionOf(c).Email); err != nil {
		return web.ShowAgain(err, refusals, func(a web.Again) error {
			entries, rerr := p.library.YouSaid(c.Context(), d.Service)
			if rerr != nil {
				return rerr
			}
			return p.render(c, a.Status, d, entries, form, a.Problems, false, a.Notice)
		})
	}
	if err := p.staff.Audit(c, actionSaved, d.Service+"/"+strings.TrimSpace(form.Text(survey.YouSaidMonthField))); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(servicePath(d.Service) + "?done=saved")
}

// Remove is POST /dashboards/{service}/you-said-we-did/remove: take the
// month's entry off the survey's pages, and audit it.
func (p *Pages) Remove(c fiber.Ctx) error {
	d, ok := p.definition(c)
	if !ok {
		return p.site.NotFound(c)
	}
	values, err := web.Form(c)
	if err != nil {
		return err
	}
	month := values.Get(survey.YouSaidMonthField)
	if _, err := time.Parse(survey.MonthLayout, month); err != nil || len(month) != len(survey.MonthLayout) {
		return fiber.ErrBadRequest
	}
	if err := p.library.RemoveYouSaid(c.Context(), d.Service, month); err != nil {
		return err
	}
	if err := p.staff.Audit(c, actionRemoved, d.Service+"/"+month); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(servicePath(d.Service) + "?done=removed")
}

func (p *Pages) render(c fiber.Ctx, status int, d *survey.Definition, entries []survey.YouSaid, form web.Values,
	problems field.Errors, editing bool, notice string) error {
	page := servicePage{Page: p.staff.Page(c, "You said, we did: "+d.Title), Service: d.Service, Title: d.Title,
		Entries: entries, Form: form, Problems: problems, Editing: editing, Notice: notice,
		Max: survey.MaxYouSaid, Length: survey.MaxYouSaidLength}
	page.Invalid = problems != nil
	return p.site.Render(c, status, p.templates, "service", page)
}

// definition is the survey named in the path, if there is one.
func (p *Pages) definition(c fiber.Ctx) (*survey.Definition, bool) {
	name := web.Param(c, "service")
	if !survey.ValidService(name) {
		return nil, false
	}
	return p.surveys.Get(name)
}

func servicePath(service string) string {
	return "/dashboards/" + url.PathEscape(service) + "/you-said-we-did"
}

// monthName is "November 2026" for "2026-11".
func monthName(m string) string {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return m
	}
	return t.Format("January 2006")
}

// textView is one textarea of an entry, for the "text" template.
type textView struct {
	Name, Label, Value, Error string
	Max                       int
}

func newTextView(form web.Values, problems field.Errors, name, label string, max int) textView {
	return textView{Name: name, Label: label, Value: form.Text(name), Error: problems.For(name), Max: max}
}
