// Package surveypages serves the service users' pages, in English and Welsh:
// the survey form at /s/{service}, the submission, the thank-you page, the
// privacy page and the invitation links. No cookies, no per-request logs (see
// the README's "How anonymity is kept"); the rules an answer must meet live in
// package survey, the words in package i18n.
package surveypages

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/surveypages/i18n"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/survey"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages are the survey pages.
type Pages struct {
	site        *web.Site
	surveys     *survey.Catalogue
	responses   *ballotbox.Responses
	invitations Invitations // nil: invitations are off
	contact     Contact
	langs       i18n.Catalogues
	templates   web.Templates
	blankForms  *blankForms
	follow      *follower              // nil: forms are read with the versions already known
	tokens      Tokens                 // nil: the blind-signature exchange is off (see UseTokens)
	script      string                 // the invited form's script, when tokens are on
	senders     *web.SubmissionLimiter // nil: answers are not limited per sender
	// invitedSlots go where an invited form's nonce ends, by language.
	invitedSlots map[survey.Language][]byte
	settings     Settings // nil: the privacy notice's facts are unset and no "You said, we did" is shown
	k            int      // the fewest answers a published figure counts
}

// Settings are what admins and quality leads write for the survey pages: the
// privacy notice's facts and each service's "You said, we did" (package
// survey's Library).
type Settings interface {
	PrivacyNotice(ctx context.Context) (survey.PrivacyNotice, error)
	YouSaid(ctx context.Context, service string) ([]survey.YouSaid, error)
}

// UseSettings has the pages show the privacy notice's facts and "You said, we
// did" from settings; k is the disclosure K the privacy notice states. Call
// it before serving, as New renders the blank forms with their footers.
func (p *Pages) UseSettings(settings Settings, k int) {
	p.settings, p.k = settings, k
}

// Contact is how a person reaches the service's office for a reply or to
// complain, shown on the thank-you page when set.
type Contact struct {
	OfficePhone, OfficeEmail string
}

// New parses the templates and renders each survey's blank form once in each
// language. invitations may be nil (invitations off).
func New(site *web.Site, surveys *survey.Catalogue, responses *ballotbox.Responses, invitations Invitations, contact Contact) (*Pages, error) {
	langs, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	t, err := parseTemplates("survey", "thanks", "invitation", "notfound", "privacy", "accessibility", "unavailable", "refused", "yousaid")
	if err != nil {
		return nil, err
	}
	p := &Pages{site: site, surveys: surveys, responses: responses, invitations: invitations,
		contact: contact, langs: langs, templates: t, blankForms: &blankForms{m: map[formKey]blankForm{}}, invitedSlots: map[survey.Language][]byte{}}
	for l := range langs {
		p.invitedSlots[l] = invitedSlot
	}
	if err := p.renderBlankForms(); err != nil {
		return nil, err
	}
	site.SetSurveyErrors(p.refused)
	return p, nil
}

// parseTemplates parses each page with this package's own layout: the service
// users' pages have their language link and emergency box, not the staff's.
func parseTemplates(names ...string) (web.Templates, error) {
	out := web.Templates{}
	for _, name := range names {
		t, err := template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// Links lists the surveys, for the 404 page: read from the catalogue (under
// its lock) each time, so a survey published since start-up is listed.
func Links(surveys *survey.Catalogue) []web.SurveyLink {
	var out []web.SurveyLink
	for _, d := range surveys.All() {
		out = append(out, web.SurveyLink{Service: d.Service, Title: d.Title})
	}
	return out
}

// links lists the surveys in language l.
func links(surveys *survey.Catalogue, l survey.Language) []web.SurveyLink {
	var out []web.SurveyLink
	for _, d := range surveys.All() {
		title, _ := d.In(l)
		out = append(out, web.SurveyLink{Service: d.Service, Title: title})
	}
	return out
}

// Definition finds the survey named in the path ({service}), if there is one.
func Definition(surveys *survey.Catalogue, c fiber.Ctx) (*survey.Definition, bool) {
	// Only looked up, never kept: the busiest route skips web.Param's copy.
	name := c.Params("service")
	if !survey.ValidService(name) {
		return nil, false
	}
	return surveys.Get(name)
}

// page is what every service user's page shows around its content: the
// language, and a link to the same page in the other language.
type page struct {
	web.Page
	L, Other *i18n.Lang
	// Switch is the address of this page in the other language.
	Switch string
	// Home is the survey's address on the pages of one survey, for the
	// footer's links to its privacy notice and "You said, we did".
	Home string
}

// language picks the request's language (see i18n.Choose). Without ?lang=
// the answer depends on Accept-Language, so caches are told.
func (p *Pages) language(c fiber.Ctx) survey.Language {
	query := c.Query(i18n.Param)
	if query == "" {
		c.Set(fiber.HeaderVary, fiber.HeaderAcceptLanguage)
	}
	return i18n.Choose(query, c.Get(fiber.HeaderAcceptLanguage))
}

// base is a page in language l, titled title, at path (for the language link).
func (p *Pages) base(l survey.Language, title, path string) page {
	other := i18n.Other(l)
	return page{Page: p.site.Page(title), L: p.langs[l], Other: p.langs[other],
		Switch: path + "?" + i18n.Param + "=" + string(other)}
}

// notFound is the 404 page of the survey routes, in the request's language.
func (p *Pages) notFound(c fiber.Ctx) error {
	l := p.language(c)
	base := p.base(l, p.langs[l].T("notfound.title"), strings.Clone(c.Path()))
	return p.site.Render(c, fiber.StatusNotFound, p.templates, "notfound", struct {
		page
		Surveys []web.SurveyLink
	}{base, links(p.surveys, l)})
}

// unavailable is the 503 page of the survey routes, in the request's
// language: the store could not issue a form just now.
func (p *Pages) unavailable(c fiber.Ctx, l survey.Language) error {
	c.Set(fiber.HeaderRetryAfter, "30")
	c.Set(fiber.HeaderCacheControl, "no-store")
	base := p.base(l, p.langs[l].T("unavailable.title"), strings.Clone(c.Path()))
	return p.site.Render(c, fiber.StatusServiceUnavailable, p.templates, "unavailable", base)
}
