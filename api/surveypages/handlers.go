package surveypages

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// Form is GET /s/{service}: the blank form with a fresh nonce.
func (p *Pages) Form(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.site.NotFound(c)
	}
	return p.showForm(c, fiber.StatusOK, d, nil, nil, "")
}

// showForm renders the form with a fresh nonce. Pages carrying a nonce are
// never stored by the browser or any cache.
func (p *Pages) showForm(c fiber.Ctx, status int, d *survey.Definition, values url.Values, errs field.Errors, notice string) error {
	nonce, err := p.responses.Keys().Issue(c.Context(), d.Service)
	if err != nil {
		return fiber.ErrServiceUnavailable
	}
	return p.renderForm(c, status, d, nonce, values, errs, notice)
}

// renderInvitedForm sends the blank form with a nonce and an invitation: the
// page rendered at start-up, with a hidden field after the nonce's.
func (p *Pages) renderInvitedForm(c fiber.Ctx, d *survey.Definition, nonce, code string) error {
	blank, ok := p.blankForm(d)
	if !ok {
		return p.renderForm(c, fiber.StatusOK, d, nonce, url.Values{InvitationField: {code}}, nil, "")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	buf := make([]byte, 0, len(blank.before)+len(nonce)+len(invitedSlot)+len(code)+len(blank.after))
	buf = append(append(append(append(append(buf, blank.before...), nonce...), invitedSlot...), code...), blank.after...)
	return c.Send(buf)
}

func (p *Pages) renderForm(c fiber.Ctx, status int, d *survey.Definition, nonce string, values url.Values, errs field.Errors, notice string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if blank, ok := p.blankForm(d); ok && values == nil && errs == nil && notice == "" {
		// The blank form differs per request only by its nonce: send the page
		// rendered at start-up around it.
		c.Status(status)
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		buf := make([]byte, 0, len(blank.before)+len(nonce)+len(blank.after))
		buf = append(append(append(buf, blank.before...), nonce...), blank.after...)
		return c.Send(buf)
	}
	data := surveyPage{Page: p.site.Page(d.Title), Survey: d, Nonce: nonce, Answers: web.Values(values), Notice: notice}
	if values != nil {
		data.Invitation = values.Get(InvitationField)
	}
	data.EmergencyAtTop = true
	data.Errors, data.Invalid = errs, errs != nil
	data.ErrorLinks = errs.Renamed(func(q string) string { return fieldID(d, q) })
	if values != nil {
		data.Honeypot = values.Get(survey.HoneypotField)
	}
	return p.site.Render(c, status, p.templates, "survey", data)
}

// Submit is POST /s/{service}: store the answers and go to the thank-you
// page, or show the form again saying what to change.
func (p *Pages) Submit(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.site.NotFound(c)
	}
	if ct := string(c.Request().Header.ContentType()); !web.IsForm(ct) {
		return fiber.ErrUnsupportedMediaType
	}
	values, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return fiber.ErrBadRequest
	}
	nonces := values[survey.NonceField]
	d = p.formVersion(c.Context(), d, values)
	answers, ve := d.ParseForm(values)
	if ve != nil {
		// Keep the nonce the person had: a fixed form is still the same form.
		if len(nonces) == 1 {
			if _, err := p.responses.Keys().BallotID(c.Context(), d.Service, nonces[0]); err == nil {
				return p.renderForm(c, fiber.StatusUnprocessableEntity, d, nonces[0], values, FieldErrors(ve), "")
			}
		}
		return p.showForm(c, fiber.StatusUnprocessableEntity, d, values, FieldErrors(ve), "")
	}
	if len(nonces) != 1 {
		return p.showForm(c, fiber.StatusUnprocessableEntity, d, values, nil, expiredNotice)
	}
	outcome, err := p.responses.SubmitInvited(c.Context(), d, nonces[0], values.Get(InvitationField), answers)
	switch {
	case errors.Is(err, survey.ErrNonce):
		return p.showForm(c, fiber.StatusUnprocessableEntity, d, values, nil, expiredNotice)
	case err != nil:
		// Not stored, not acknowledged: show the answers again with the same
		// nonce, so trying again cannot store them twice.
		return p.renderForm(c, fiber.StatusServiceUnavailable, d, nonces[0], values, nil, unavailableNotice)
	}
	target := "/s/" + d.Service + "/thanks"
	if outcome == survey.AlreadyReceived {
		target += "?already=1"
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(target)
}

const (
	expiredNotice     = "This form had been open for a long time, so we could not accept it. Your answers are still here: please check them and send them again."
	unavailableNotice = "Sorry, we could not save your answers just now. They have not been stored. Your answers are still here: please try sending them again in a minute."
)

// Thanks is GET /s/{service}/thanks.
func (p *Pages) Thanks(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.site.NotFound(c)
	}
	return p.site.Render(c, fiber.StatusOK, p.templates, "thanks", struct {
		web.Page
		Already bool
	}{p.site.Page("Thank you – " + d.Title), c.Query("already") == "1"})
}
