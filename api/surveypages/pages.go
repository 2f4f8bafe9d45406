// Package surveypages serves the service users' survey: the form at
// /s/{service}, the submission and the thank-you page. No cookies, no
// per-request logs (see the README's "How anonymity is kept"); the rules an
// answer must meet live in package survey.
package surveypages

import (
	"bytes"
	"embed"
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages are the survey pages.
type Pages struct {
	site        *web.Site
	surveys     *survey.Catalogue
	responses   *survey.Responses
	invitations Invitations // nil: invitations are off
	templates   web.Templates
	blankForms  *blankForms
	follow      *follower // nil: forms are read with the versions already known
}

// New parses the templates and renders each survey's blank form once.
// invitations may be nil (invitations off).
func New(site *web.Site, surveys *survey.Catalogue, responses *survey.Responses, invitations Invitations) (*Pages, error) {
	t, err := web.ParseTemplates(templateFS, nil, nil, "survey", "thanks", "invitation")
	if err != nil {
		return nil, err
	}
	p := &Pages{site: site, surveys: surveys, responses: responses, invitations: invitations, templates: t,
		blankForms: &blankForms{m: map[string]blankForm{}}}
	if err := p.renderBlankForms(); err != nil {
		return nil, err
	}
	return p, nil
}

// Links lists the surveys, for the 404 page.
func Links(surveys *survey.Catalogue) []web.SurveyLink {
	var out []web.SurveyLink
	for _, d := range surveys.All() {
		out = append(out, web.SurveyLink{Service: d.Service, Title: d.Title})
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

// surveyPage is what the survey form template sees.
type surveyPage struct {
	web.Page
	Survey *survey.Definition
	Nonce  string
	// Invitation is the invitation the form came from, sent with the answers.
	Invitation string
	Answers    web.Values
	Honeypot   string
	Notice     string
	// Errors are the problems by question id; ErrorLinks the same, named by
	// the id of each question's first input, for the error summary.
	Errors, ErrorLinks field.Errors
}

// FieldErrors are survey's problems in the shape every page shows.
func FieldErrors(ve *survey.ValidationError) field.Errors {
	if ve == nil {
		return nil
	}
	out := make(field.Errors, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = field.Error{Field: f.Question, Message: f.Message}
	}
	return out
}

// fieldID is the id of the first input of a question: where an error summary
// link takes the reader.
func fieldID(d *survey.Definition, question string) string {
	q, ok := d.Question(question)
	if !ok {
		return question
	}
	if q.Kind == survey.Text || len(q.Options) == 0 {
		return q.ID
	}
	return q.ID + "-" + q.Options[0].Value
}

// blankForm is a survey's form rendered once, split where its nonce goes.
type blankForm struct{ before, after []byte }

// invitedSlot goes where the nonce ends, to add the invitation field after it.
var invitedSlot = []byte(`"><input type="hidden" name="` + InvitationField + `" value="`)

// nonceSlot marks where the nonce goes; it needs no escaping, like a nonce.
const nonceSlot = "NONCE-SLOT-4f1c9a"

func (p *Pages) renderBlankForms() error {
	for _, d := range p.surveys.All() {
		if _, err := p.renderBlankForm(d); err != nil {
			return err
		}
	}
	return nil
}

// renderBlankForm renders d's blank form and keeps it for its version.
func (p *Pages) renderBlankForm(d *survey.Definition) (blankForm, error) {
	data := surveyPage{Page: p.site.Page(d.Title), Survey: d, Nonce: nonceSlot}
	data.EmergencyAtTop = true
	var buf bytes.Buffer
	if err := p.templates.Execute(&buf, "survey", data); err != nil {
		return blankForm{}, fmt.Errorf("render blank form %s: %w", d.Service, err)
	}
	before, after, ok := bytes.Cut(buf.Bytes(), []byte(nonceSlot))
	if !ok || bytes.Contains(after, []byte(nonceSlot)) {
		return blankForm{}, fmt.Errorf("render blank form %s: nonce slot not found once", d.Service)
	}
	b := blankForm{before: before, after: after}
	p.blankForms.put(d, b)
	return b, nil
}
