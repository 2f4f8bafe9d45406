package staff

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
)

// Cross-site request forgery defences.
//
// Signed in: every state-changing staff request carries the session's CSRF
// token, in the form field "csrf" or, for JSON calls, the X-CSRF-Token header.
// A cross-site page cannot read it, so it cannot forge the request.
//
// Signing in has no session yet, so /login instead relies on what browsers
// say about where a request comes from: Sec-Fetch-Site must be same-origin
// (or none: typed by the person), and Origin, when sent, must be the base
// URL's. Every browser in use sends at least one of them on a cross-site
// POST; a request with neither (curl, a script) is not a browser being tricked.
// Staff requests get the same check as well as the token.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// CheckCSRF refuses a state-changing request without the session's token or
// that a browser says came from another site. Reads (GET, HEAD) pass.
func (s *Pages) CheckCSRF(c fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if !s.validCSRF(c, SessionOf(c)) {
		return s.forbidCSRF(c)
	}
	return c.Next()
}

// validCSRF reports whether the request comes from this site and carries
// sess's token.
func (s *Pages) validCSRF(c fiber.Ctx, sess *accounts.Session) bool {
	if sess == nil || !s.sameOrigin(c) {
		return false
	}
	token := c.Get(csrfHeader)
	if token == "" {
		form, err := web.Form(c)
		if err != nil {
			return false
		}
		token = form.Get(csrfField)
	}
	return sess.ValidCSRF(token)
}

// CheckOrigin guards forms used before there is a session (signing in).
func (s *Pages) CheckOrigin(c fiber.Ctx) error {
	if !s.sameOrigin(c) {
		return s.forbidCSRF(c)
	}
	return c.Next()
}

// sameOrigin reports whether the browser's own headers place the request on
// this site; absent headers are not evidence against it.
func (s *Pages) sameOrigin(c fiber.Ctx) bool {
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "null" {
		// Every page is sent with Referrer-Policy: no-referrer, under which a
		// browser posts this site's own forms with "Origin: null"; then only
		// Sec-Fetch-Site can say the form was ours (an opaque origin elsewhere,
		// such as a sandboxed frame, is cross-site).
		return c.Get("Sec-Fetch-Site") == "same-origin"
	}
	return origin == "" || origin == s.origin
}

func (s *Pages) forbidCSRF(c fiber.Ctx) error {
	if web.IsAPI(c) {
		return web.Problem(c, fiber.StatusForbidden, "Missing or wrong "+csrfHeader+" header, or a request from another site.", nil)
	}
	return s.Error(c, fiber.StatusForbidden, "This form could not be accepted",
		"The form had expired or did not come from this site. Go back, reload the page and try again.")
}
