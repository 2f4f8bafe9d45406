package api

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
)

// Session cookie names. Over https the __Host- prefix makes browsers refuse the
// cookie unless it is Secure, has Path=/ and no Domain, so no sibling host can
// plant or widen it. Browsers refuse that prefix on plain http, hence two names.
const (
	sessionCookie       = "feedback_session"
	secureSessionCookie = "__Host-feedback_session"
)

// Keys of what staff middleware leaves on c.Locals.
type localKey int

const (
	sessionLocal localKey = iota // *accounts.Session of the signed-in person
	formLocal                    // url.Values of a parsed form body
)

func (s *Server) cookieName() string {
	if s.https {
		return secureSessionCookie
	}
	return sessionCookie
}

// setSessionCookie hands the browser a new session. It lives no longer than
// the session's absolute timeout; the server ends it sooner when idle.
func (s *Server) setSessionCookie(c fiber.Ctx, sess accounts.Session) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(), Value: sess.ID, Path: "/",
		HTTPOnly: true, Secure: s.https, SameSite: fiber.CookieSameSiteLaxMode,
		MaxAge: int(s.accounts.AbsoluteTimeout() / time.Second),
	})
}

// clearSessionCookie tells the browser to forget its session cookie.
func (s *Server) clearSessionCookie(c fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(), Value: "", Path: "/",
		HTTPOnly: true, Secure: s.https, SameSite: fiber.CookieSameSiteLaxMode,
		MaxAge: -1, // sent as Max-Age=0
	})
}

// staffArea marks a response as for staff only: never stored by a browser or
// a cache, since it may show names, accounts or one-time passwords.
func (s *Server) staffArea(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// loadSession puts the signed-in person's session on c.Locals, if the cookie
// names a live one, and clears a cookie that names none. Only staff routes run
// it: survey routes never read or set a cookie.
func (s *Server) loadSession(c fiber.Ctx) error {
	id := c.Cookies(s.cookieName())
	if id == "" {
		return c.Next()
	}
	sess, err := s.accounts.LookupSession(c.Context(), id)
	switch {
	case errors.Is(err, accounts.ErrNoSession):
		s.clearSessionCookie(c)
	case err != nil:
		return fmt.Errorf("look up session: %w", err)
	default:
		c.Locals(sessionLocal, &sess)
	}
	return c.Next()
}

// sessionOf returns the session loadSession found, or nil.
func sessionOf(c fiber.Ctx) *accounts.Session {
	sess, _ := c.Locals(sessionLocal).(*accounts.Session)
	return sess
}

// requireRole lets through a signed-in person holding any of roles, or anyone
// signed in when no role is named. Signed out, a page asks them to sign in and
// comes back; someone who must change a one-time password does that first; a
// person without the role gets 403. JSON routes answer with problems instead.
func (s *Server) requireRole(roles ...accounts.Role) fiber.Handler {
	return func(c fiber.Ctx) error {
		sess := sessionOf(c)
		switch {
		case sess == nil && isAPI(c):
			return s.problem(c, fiber.StatusUnauthorized, "Sign in at /login first.", nil)
		case sess == nil:
			return c.Redirect().Status(fiber.StatusSeeOther).To(withNext(loginPath, c))
		case sess.MustChangePassword && c.Path() != passwordPath && isAPI(c):
			return s.problem(c, fiber.StatusForbidden, "Choose a new password at "+passwordPath+" first.", nil)
		case sess.MustChangePassword && c.Path() != passwordPath:
			return c.Redirect().Status(fiber.StatusSeeOther).To(withNext(passwordPath, c))
		case len(roles) > 0 && !slices.ContainsFunc(roles, sess.Has) && isAPI(c):
			return s.problem(c, fiber.StatusForbidden, "Your account does not have the role this needs.", nil)
		case len(roles) > 0 && !slices.ContainsFunc(roles, sess.Has):
			return s.staffError(c, fiber.StatusForbidden, "You cannot open this page",
				"Your account does not have access to this page. Ask an administrator if you need it.")
		}
		return c.Next()
	}
}

// withNext is target with ?next= set to the page asked for, when that was a
// page (a GET) with a local address.
func withNext(target string, c fiber.Ctx) string {
	if c.Method() != fiber.MethodGet {
		return target
	}
	if uri := c.OriginalURL(); localPath(uri) {
		return target + "?next=" + url.QueryEscape(uri)
	}
	return target
}

// staffError answers with a plain page, with the staff header when signed in.
func (s *Server) staffError(c fiber.Ctx, status int, heading, message string) error {
	return s.render(c, status, "error", errorPage{page: s.staffPage(c, heading), Heading: heading, Message: message})
}
