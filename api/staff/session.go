package staff

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
)

// Session cookie names. Over https the __Host- prefix makes browsers refuse the
// cookie unless it is Secure, has Path=/ and no Domain, so no sibling host can
// plant or widen it. Browsers refuse that prefix on plain http, hence two names.
const (
	sessionCookie       = "feedback_session"
	secureSessionCookie = "__Host-feedback_session"
)

// sessionLocal is the c.Locals key of the signed-in person's *accounts.Session.
type sessionLocal struct{}

func (s *Pages) cookieName() string {
	if s.https {
		return secureSessionCookie
	}
	return sessionCookie
}

// setSessionCookie hands the browser a new session. It lives no longer than
// the session's absolute timeout; the server ends it sooner when idle.
func (s *Pages) setSessionCookie(c fiber.Ctx, sess accounts.Session) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(), Value: sess.ID, Path: "/",
		HTTPOnly: true, Secure: s.https, SameSite: fiber.CookieSameSiteLaxMode,
		MaxAge: int(s.accounts.AbsoluteTimeout() / time.Second),
	})
}

// clearSessionCookie tells the browser to forget its session cookie.
func (s *Pages) clearSessionCookie(c fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(), Value: "", Path: "/",
		HTTPOnly: true, Secure: s.https, SameSite: fiber.CookieSameSiteLaxMode,
		MaxAge: -1, // sent as Max-Age=0
	})
}

// Area marks a response as for staff only: never stored by a browser or
// a cache, since it may show names, accounts or one-time passwords. Its error
// pages carry the staff header.
func (s *Pages) Area(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	web.SetPageBase(c, s.pageBase)
	return c.Next()
}

// LoadSession puts the signed-in person's session on c.Locals, if the cookie
// names a live one, and clears a cookie that names none. Only staff routes run
// it: survey routes never read or set a cookie. A request carrying an
// Authorization header (an API token) is refused with 401 here: only the
// routes that run LoadSessionOrToken instead accept one.
func (s *Pages) LoadSession(c fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) != "" {
		return refuseToken(c)
	}
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
		c.Locals(sessionLocal{}, &sess)
	}
	return c.Next()
}

// SessionOf returns the session LoadSession found, or nil.
func SessionOf(c fiber.Ctx) *accounts.Session {
	sess, _ := c.Locals(sessionLocal{}).(*accounts.Session)
	return sess
}

// RequireRole lets through a signed-in person holding any of roles, or anyone
// signed in when no role is named. Signed out, a page asks them to sign in and
// comes back; someone who must change a one-time password does that first; a
// person without the role gets 403. JSON routes answer with problems instead.
func (s *Pages) RequireRole(roles ...accounts.Role) fiber.Handler {
	return func(c fiber.Ctx) error {
		sess := SessionOf(c)
		switch {
		case sess == nil && web.IsAPI(c):
			return web.Problem(c, fiber.StatusUnauthorized, "Sign in at /login first.", nil)
		case sess == nil:
			return c.Redirect().Status(fiber.StatusSeeOther).To(withNext(LoginPath, c))
		case sess.MustChangePassword && c.Path() != passwordPath && web.IsAPI(c):
			return web.Problem(c, fiber.StatusForbidden, "Choose a new password at "+passwordPath+" first.", nil)
		case sess.MustChangePassword && c.Path() != passwordPath:
			return c.Redirect().Status(fiber.StatusSeeOther).To(withNext(passwordPath, c))
		case len(roles) > 0 && !slices.ContainsFunc(roles, sess.Has) && web.IsAPI(c):
			return web.Problem(c, fiber.StatusForbidden, "Your account does not have the role this needs.", nil)
		case len(roles) > 0 && !slices.ContainsFunc(roles, sess.Has):
			return s.Error(c, fiber.StatusForbidden, "You cannot open this page",
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
