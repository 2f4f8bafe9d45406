package surveypages

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/invitation"
)

// Invitations spends single-use invitations; nil means invitations are off.
type Invitations interface {
	Spend(ctx context.Context, code string) (invitation.Invitation, error)
}

// Exchange is GET /i/{code}: the invitation in a survey text is spent and
// exchanged for a form marked verified, then forgotten. Nothing kept joins the
// invitation to the form: the spent mark holds a keyed hash of the code only.
// The browser is sent on to /s/{service}?f={nonce}, so a reload shows the same
// form rather than a spent invitation.
func (p *Pages) Exchange(c fiber.Ctx) error {
	if p.invitations == nil {
		return p.site.NotFound(c)
	}
	inv, err := p.invitations.Spend(c.Context(), c.Params("code"))
	switch {
	case errors.Is(err, invitation.ErrUsed), errors.Is(err, invitation.ErrExpired):
		return p.spent(c, inv.Service, errors.Is(err, invitation.ErrUsed))
	case errors.Is(err, invitation.ErrInvalid):
		return p.spent(c, "", false)
	case err != nil:
		return fiber.ErrServiceUnavailable
	}
	nonce, err := p.responses.Keys().IssueVerified(c.Context(), inv.Service)
	if err != nil {
		return fiber.ErrServiceUnavailable
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect().Status(fiber.StatusSeeOther).To("/s/" + inv.Service + "?" + FormField + "=" + nonce)
}

// FormField carries a verified form's nonce in the survey's address after an
// exchange, so that a reload keeps it.
const FormField = "f"

// spentPage is the kind page for an invitation that cannot be used: it still
// offers the open survey.
type spentPage struct {
	web.Page
	Used, Expired bool
	Service       string // the invitation's service; empty when the link is broken
	Surveys       []web.SurveyLink
}

func (p *Pages) spent(c fiber.Ctx, service string, used bool) error {
	status := fiber.StatusNotFound
	data := spentPage{Page: p.site.Page("This survey link cannot be used"), Service: service, Surveys: Links(p.surveys)}
	if service != "" {
		status, data.Used, data.Expired = fiber.StatusGone, used, !used
		if d, ok := p.surveys.Get(service); ok {
			data.Surveys = []web.SurveyLink{{Service: d.Service, Title: d.Title}}
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p.site.Render(c, status, p.templates, "invitation", data)
}
