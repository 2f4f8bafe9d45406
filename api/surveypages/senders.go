package surveypages

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/survey"
)

// LimitSubmissions has each sender's answers limited by l (see
// web.SubmissionLimiter); nil limits nothing.
func (p *Pages) LimitSubmissions(l *web.SubmissionLimiter) { p.senders = l }

// sender names who a submission counts against. An invitation that verifies,
// or a token, is one person's and counts against itself, so people invited
// behind one address (a mobile network's) do not share a limit. Anything else
// would be stored open, answers that could pad a small group: it counts
// against the client address and the survey. A code that verifies but was
// used is stored open too; it still counts against itself, so one code pads
// no faster than one address.
func (p *Pages) sender(c fiber.Ctx, service string, values url.Values) string {
	if token := values.Get(TokenField); token != "" {
		return "token\x00" + token // a forged one stores nothing (ballotbox.ErrToken)
	}
	if code := values.Get(InvitationField); code != "" && p.invitations != nil {
		if inv, err := p.invitations.Verify(code); err == nil && inv.Service == service {
			return "invitation\x00" + code
		}
	}
	return OpenSender(p.site.ClientIP(c), service)
}

// OpenSender is the sender of an open answer: its client address and survey.
func OpenSender(address, service string) string { return "open\x00" + service + "\x00" + address }

// tooMany shows the form again with the answers and says to wait: nothing
// was stored, and the nonce sent still holds.
func (p *Pages) tooMany(c fiber.Ctx, l survey.Language, d *survey.Definition, values url.Values, retry time.Duration) error {
	c.Set(fiber.HeaderRetryAfter, web.RetryAfter(retry))
	if nonces := values[survey.NonceField]; len(nonces) == 1 {
		return p.renderForm(c, fiber.StatusTooManyRequests, l, d, nonces[0], values, nil, tooManyNotice)
	}
	return p.showForm(c, fiber.StatusTooManyRequests, l, d, values, nil, tooManyNotice)
}
