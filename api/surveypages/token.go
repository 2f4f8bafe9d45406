package surveypages

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/surveypages/i18n"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/survey"
)

// Tokens exchanges an invitation for a blind signature over a token the
// browser made (see invitation.Tokens); the survey checks the token itself.
type Tokens interface {
	SigningKey(ctx context.Context, service string) (invitation.SigningKey, error)
	// Exchange answers every code alike (see invitation.Tokens.Exchange): a
	// signature for a code it spends, a decoy of the same length for one it
	// cannot; it refuses only what does not depend on the code.
	Exchange(ctx context.Context, service, keyID, code string, blinded []byte) ([]byte, error)
}

// TokenField carries the unblinded token the browser sends instead of the
// invitation.
const TokenField = survey.TokenField

// inviteScript is the one script of the service users' pages, on invited
// forms only: it makes the exchange before the answers are sent.
const inviteScript = "invite.js"

// UseTokens turns the blind-signature exchange on: invited forms then carry
// the script that makes it. nil leaves it off.
func (p *Pages) UseTokens(t Tokens) {
	if t == nil {
		return
	}
	p.tokens = t
	p.script = p.site.AssetURL(inviteScript)
	for l, lang := range p.langs {
		p.invitedSlots[l] = []byte(`">` + spentNotice(lang) + `<script src="` + p.script + `" defer></script>` + string(invitedSlot[2:]))
	}
}

// spentNotice is where the script says, when the exchange answers with a
// decoy, that the invitation cannot be used and the answers will count as
// open: a live region, empty until then (the page itself cannot know, or
// opening a link would tell whether it was used).
func spentNotice(lang *i18n.Lang) string {
	return `<div id="invite-spent" role="status" data-said="` + template.HTMLEscapeString(lang.T(spentNoticeKey)) + `"></div>`
}

// spentNoticeKey is the catalogue key of the notice above.
const spentNoticeKey = "survey.invite_spent"

var b64 = base64.RawURLEncoding

// tokenKey is the JSON of GET /s/{service}/token-key: the key's id (the month
// it signs in) and the RSA public key, big-endian, base64url.
type tokenKey struct {
	ID string `json:"id"`
	N  string `json:"n"`
	E  string `json:"e"`
}

// TokenKey is GET /s/{service}/token-key: the key every browser blinds with,
// the same for everybody and cacheable by anyone, so a browser can tell a
// key made for it alone; cached at most until the month ends, when the next
// month's key signs.
func (p *Pages) TokenKey(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if p.tokens == nil || !ok {
		return web.Problem(c, fiber.StatusNotFound, "There is no token key at this address.", nil)
	}
	k, err := p.tokens.SigningKey(c.Context(), d.Service)
	if err != nil {
		c.Set(fiber.HeaderRetryAfter, "30")
		return web.Problem(c, fiber.StatusServiceUnavailable, "The key cannot be read just now.", nil)
	}
	pk := k.Key
	body, _ := json.Marshal(tokenKey{ID: k.ID, N: b64.EncodeToString(pk.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(pk.E)).Bytes())})
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "public, max-age="+strconv.Itoa(int(k.MaxAge/time.Second)))
	return c.Send(body)
}

// tokenRequest is the JSON of POST /s/{service}/token: Key is the id of the
// key the browser blinded with.
type tokenRequest struct {
	Invitation string `json:"invitation"`
	Key        string `json:"key"`
	Blinded    string `json:"blinded"`
}

// Token is POST /s/{service}/token: spend the invitation and sign the blinded
// token. An unused code and a spent, expired or unknown one get the same
// answer (200, one header set, a signature's length), so that whoever sees the
// answer learns nothing of whether the person answered: only the browser's
// check of the signature with the public key tells, and the script then sends
// the form without a token. Nothing is logged and no cookie is set; the JSON
// type keeps other sites' pages from sending it (a cross-site fetch with it
// needs a preflight, which nothing here answers).
func (p *Pages) Token(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if p.tokens == nil || !ok {
		return web.Problem(c, fiber.StatusNotFound, "There is no token exchange at this address.", nil)
	}
	if !strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEApplicationJSON) {
		return web.Problem(c, fiber.StatusUnsupportedMediaType, "Send JSON: {\"invitation\": …, \"key\": …, \"blinded\": …}.", nil)
	}
	var req tokenRequest
	blinded, err := []byte(nil), json.Unmarshal(c.Body(), &req)
	if err == nil {
		blinded, err = b64.DecodeString(req.Blinded)
	}
	if err != nil {
		return web.Problem(c, fiber.StatusBadRequest, "The request is not JSON with an invitation and a base64url blinded message.", nil)
	}
	sig, err := p.tokens.Exchange(c.Context(), d.Service, req.Key, req.Invitation, blinded)
	if err != nil {
		return tokenProblem(c, err)
	}
	body, _ := json.Marshal(map[string]string{"signature": b64.EncodeToString(sig)})
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// tokenRefusals word a refused exchange: only refusals that do not depend on
// the code (a used, expired or unknown code is answered as a good one). The
// exchange is JSON on a survey route (not under /api/), so it answers them itself.
var tokenRefusals = web.Answers{
	{Is: invitation.ErrKeyNotSigning, Status: fiber.StatusConflict, Message: "The key named does not sign now: fetch the token key again."},
	{Is: invitation.ErrMalformed, Status: fiber.StatusBadRequest, Message: "The blinded message is not one this key can sign."},
}

// tokenProblem answers a refused exchange, or one that cannot be checked now.
func tokenProblem(c fiber.Ctx, err error) error {
	if a, ok := tokenRefusals.For(err); ok {
		return web.Problem(c, a.Status, a.Message, nil)
	}
	c.Set(fiber.HeaderRetryAfter, "30")
	return web.Problem(c, fiber.StatusServiceUnavailable, "The invitation cannot be checked just now.", nil)
}
