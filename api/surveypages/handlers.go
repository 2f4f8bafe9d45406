package surveypages

import (
	"bytes"
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/surveypages/i18n"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/survey"
)

// Form is GET /s/{service}: the blank form with a fresh nonce.
func (p *Pages) Form(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.notFound(c)
	}
	return p.showForm(c, fiber.StatusOK, p.language(c), d, nil, nil, "")
}

// showForm renders the form with a fresh nonce. Pages carrying a nonce are
// never stored by the browser or any cache.
func (p *Pages) showForm(c fiber.Ctx, status int, l survey.Language, d *survey.Definition, values url.Values, ve *survey.ValidationError, notice string) error {
	nonce, err := p.responses.Keys().Issue(c.Context(), d.Service)
	if err != nil {
		return p.unavailable(c, l)
	}
	return p.renderForm(c, status, l, d, nonce, values, ve, notice)
}

// renderInvitedForm sends the blank form with a nonce and an invitation: the
// page rendered at start-up, with a hidden field after the nonce's.
func (p *Pages) renderInvitedForm(c fiber.Ctx, l survey.Language, d *survey.Definition, nonce, code string) error {
	blank, ok := p.blankForm(d, l)
	if !ok {
		return p.renderForm(c, fiber.StatusOK, l, d, nonce, url.Values{InvitationField: {code}}, nil, "")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// The language link of an invited form keeps the invitation: /i/{code}?lang=…
	slot := p.invitedSlots[l]
	buf := make([]byte, 0, len(blank.before)+len(code)+len(nonce)+len(slot)+len(code)+len(blank.after))
	buf = append(append(append(append(buf, blank.head...), "/i/"...), code...), blank.tail...)
	buf = append(append(append(append(buf, nonce...), slot...), code...), blank.after...)
	return c.Send(buf)
}

func (p *Pages) renderForm(c fiber.Ctx, status int, l survey.Language, d *survey.Definition, nonce string, values url.Values, ve *survey.ValidationError, notice string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if blank, ok := p.blankForm(d, l); ok && values == nil && ve == nil && notice == "" {
		// The blank form differs per request only by its nonce: send the page
		// rendered at start-up around it.
		c.Status(status)
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		buf := make([]byte, 0, len(blank.before)+len(nonce)+len(blank.after))
		buf = append(append(append(buf, blank.before...), nonce...), blank.after...)
		return c.Send(buf)
	}
	if values != nil {
		// A form sent back with its answers stays in the browser's own cache
		// (never a shared one), so Back to it after sending shows it again
		// rather than a "Confirm form resubmission" prompt; sending it again
		// is refused as "already received" by its nonce.
		c.Set(fiber.HeaderCacheControl, "private, max-age=0")
	}
	data := p.newSurveyPage(l, d, nonce, values, ve)
	if notice != "" {
		data.Notice = p.langs[l].T(notice)
	}
	return p.site.Render(c, status, p.templates, "survey", data)
}

// Submit is POST /s/{service}: store the answers and go to the thank-you
// page, or show the form again saying what to change.
func (p *Pages) Submit(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.notFound(c)
	}
	if ct := string(c.Request().Header.ContentType()); !web.IsForm(ct) {
		return fiber.ErrUnsupportedMediaType
	}
	values, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return fiber.ErrBadRequest
	}
	l := p.language(c)
	d = p.formVersion(c.Context(), d, values)
	answers, ve := d.ParseForm(values)
	sent := ballotbox.Sent{Def: d, Nonces: values[survey.NonceField], Token: values.Get(TokenField),
		Invitation: values.Get(InvitationField), Answers: answers, Lang: string(l)}
	if ve != nil {
		sent.Invalid = ve
	} else if ok, retry := p.senders.Allow(p.sender(c, d.Service, values)); !ok {
		return p.tooMany(c, l, d, values, retry)
	}
	rc, err := p.responses.Receive(c.Context(), sent)
	switch {
	case ve != nil && rc.Nonce != "":
		return p.renderForm(c, fiber.StatusUnprocessableEntity, l, d, rc.Nonce, values, ve, "")
	case ve != nil:
		return p.showForm(c, fiber.StatusUnprocessableEntity, l, d, values, ve, "")
	case errors.Is(err, ballotbox.ErrToken):
		// Nothing stored: the same form, without the token, stores the answers open.
		values.Del(TokenField)
		return p.renderForm(c, fiber.StatusUnprocessableEntity, l, d, rc.Nonce, values, nil, tokenNotice)
	case errors.Is(err, ballotbox.ErrNonce):
		return p.showForm(c, fiber.StatusUnprocessableEntity, l, d, values, nil, expiredNotice)
	case err != nil:
		// Not stored, not acknowledged: show the answers again with the same
		// nonce, so trying again cannot store them twice.
		return p.renderForm(c, fiber.StatusServiceUnavailable, l, d, rc.Nonce, values, nil, unavailableNotice)
	}
	// Post, redirect, get: the thank-you address names the survey and the
	// language, and carries the receipt's mark, of one length for everybody:
	// only the page it opens says whether to begin with the crisis message.
	target := "/s/" + d.Service + "/thanks?" + i18n.Param + "=" + string(l)
	if rc.Outcome == ballotbox.AlreadyReceived {
		target += "&already=1"
	}
	target += "&" + markParam + "=" + url.QueryEscape(rc.Mark)
	return c.Redirect().Status(fiber.StatusSeeOther).To(target)
}

// Catalogue keys of the notices above a form sent back.
const (
	tooManyNotice     = "survey.too_many"
	tokenNotice       = "survey.token"
	expiredNotice     = "survey.expired"
	unavailableNotice = "survey.unavailable"
)

// thanksPage is the confirmation: what happens next, and how to reach the
// office for a reply or to complain; for a person whose comment spoke of
// risk, a crisis message first.
type thanksPage struct {
	page
	Already, Crisis                           bool
	OfficePhone, OfficePhoneLink, OfficeEmail string
	// Said is the service's latest "You said, we did": the same for
	// everyone, so both forms of the page still differ only as padded.
	Said []saidView
}

// markParam carries a receipt's mark (ballotbox.Receipt.Mark) to the thank-you page.
const markParam = "m"

// Thanks is GET /s/{service}/thanks. Both forms of the page, with and without
// the crisis message, are padded to one length, so not even the size of the
// response says which a person was shown.
func (p *Pages) Thanks(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.notFound(c)
	}
	l := p.language(c)
	data := thanksPage{page: p.base(l, p.langs[l].T("thanks.title"), "/s/"+d.Service+"/thanks"),
		Already: c.Query("already") == "1", OfficePhone: p.contact.OfficePhone, OfficeEmail: p.contact.OfficeEmail,
		Said: p.youSaid(c.Context(), d.Service, l, thanksYouSaid)}
	data.OfficePhoneLink = web.PhoneLink(p.contact.OfficePhone)
	data.Home = "/s/" + d.Service
	var pages [2]bytes.Buffer
	for i, crisis := range []bool{false, true} {
		data.Crisis = crisis
		if err := p.templates.Execute(&pages[i], "thanks", data); err != nil {
			return err
		}
	}
	shown := &pages[0]
	if p.responses.Safeguarding(c.Context(), c.Query(markParam)) {
		shown = &pages[1]
	}
	padTo(shown, max(pages[0].Len(), pages[1].Len())+len(padding))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Status(fiber.StatusOK)
	c.Response().SetBody(shown.Bytes())
	return nil
}

const padding = "<!---->"

// padTo appends an HTML comment that brings page to exactly n bytes.
func padTo(page *bytes.Buffer, n int) {
	if gap := n - page.Len() - len(padding); gap >= 0 {
		page.WriteString("<!--")
		page.WriteString(strings.Repeat(" ", gap))
		page.WriteString("-->")
	}
}
