package staff

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
)

// LoadSessionOrToken is LoadSession for the routes a read-only API token may
// also open (Authorization: Bearer …): the stats API and the CSV exports,
// nothing else. A token stands in for a session of its role with no CSRF
// token, so it could never pass CheckCSRF, and only GET and HEAD are let
// through. A bad, revoked or expired token gets a 401 problem document.
func (s *Pages) LoadSessionOrToken(c fiber.Ctx) error {
	header := c.Get(fiber.HeaderAuthorization)
	if header == "" {
		return s.LoadSession(c)
	}
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return tokenRefused(c, "Send an API token as Authorization: Bearer <token>.")
	}
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return web.Problem(c, fiber.StatusMethodNotAllowed, "An API token only reads.", nil)
	}
	tok, err := s.accounts.AuthenticateToken(c.Context(), strings.TrimSpace(secret))
	if errors.Is(err, accounts.ErrNoToken) {
		return tokenRefused(c, "The API token is unknown, revoked or expired. Ask an administrator for a new one.")
	}
	if err != nil {
		return fmt.Errorf("authenticate API token: %w", err)
	}
	c.Locals(sessionLocal{}, &accounts.Session{Email: tok.Actor(), Name: tok.Name, Roles: []accounts.Role{tok.Role}})
	return c.Next()
}

// refuseToken answers a request that carries an API token to a route no token
// opens (LoadSession calls it): it is not read, and nothing is done.
func refuseToken(c fiber.Ctx) error {
	return tokenRefused(c, "An API token opens only GET /api/v1/stats/{service} and the CSV exports of the dashboards.")
}

func tokenRefused(c fiber.Ctx, detail string) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="feedback", error="invalid_token"`)
	return web.Problem(c, fiber.StatusUnauthorized, detail, nil)
}
