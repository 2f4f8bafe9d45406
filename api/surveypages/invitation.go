package surveypages

import (
	"errors"

	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/survey"
)

// Invitations checks the single-use invitations in survey texts; nil means
// invitations are off. They are spent only when the answers are stored.
type Invitations interface {
	Verify(code string) (invitation.Invitation, error)
}

// InvitationField carries a form's invitation, to be spent with its answers.
const InvitationField = survey.InvitationField

// Exchange is GET /i/{code}: the survey form of the invitation's service, with
// the invitation in it. Opening the link spends nothing — a link preview or a
// reload shows the same form — the invitation is spent when the answers are
// stored, and the response is then verified. Nothing kept joins the
// invitation to the response: the spent mark holds a keyed hash of the code.
func (p *Pages) Exchange(c fiber.Ctx) error {
	if p.invitations == nil {
		return p.notFound(c)
	}
	inv, err := p.invitations.Verify(c.Params("code"))
	switch {
	case errors.Is(err, invitation.ErrExpired):
		return p.spent(c, inv.Service, false)
	case err != nil:
		return p.spent(c, "", false)
	}
	d, ok := p.surveys.Get(inv.Service)
	if !ok {
		return p.spent(c, "", false)
	}
	l := p.language(c)
	nonce, err := p.responses.Keys().Issue(c.Context(), d.Service)
	if err != nil {
		return p.unavailable(c, l)
	}
	// A verified code is base64url: safe in an attribute as it is.
	return p.renderInvitedForm(c, l, d, nonce, strings.Clone(c.Params("code")))
}

// spentPage is the kind page for an invitation that cannot be used: it still
// offers the open survey.
type spentPage struct {
	page
	Used, Expired bool
	Service       string // the invitation's service; empty when the link is broken
	Surveys       []web.SurveyLink
}

func (p *Pages) spent(c fiber.Ctx, service string, used bool) error {
	l := p.language(c)
	status := fiber.StatusNotFound
	data := spentPage{page: p.base(l, p.langs[l].T("spent.title"), strings.Clone(c.Path())), Service: service, Surveys: links(p.surveys, l)}
	if service != "" {
		status, data.Used, data.Expired = fiber.StatusGone, used, !used
		if d, ok := p.surveys.Get(service); ok {
			title, _ := d.In(l)
			data.Surveys = []web.SurveyLink{{Service: d.Service, Title: title}}
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p.site.Render(c, status, p.templates, "invitation", data)
}
