// Package staff serves the staff's own pages: signing in and out, sessions,
// roles and CSRF defences, the staff home page, and the administrators'
// screens for staff accounts and the audit log. The intake, survey-admin and
// dashboard screens use its middleware, page header and audit. It imports no
// domain package of either side of the privacy wall (only accounts, the
// staff's own), so the dashboards, which build on it, cannot reach intake.
package staff

import (
	"embed"
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages are the staff pages and the middleware that guards every staff route.
type Pages struct {
	site      *web.Site
	accounts  *accounts.Store
	log       *slog.Logger
	templates web.Templates
	https     bool
	origin    string
	// pageBase starts the error pages of the staff area (see Area).
	pageBase func(fiber.Ctx, string) web.Page
}

// Deps are what the staff pages need.
type Deps struct {
	Site     *web.Site
	Accounts *accounts.Store
	Logger   *slog.Logger
	// HTTPS sets Secure, __Host- session cookies.
	HTTPS bool
	// Origin is scheme://host[:port] of the base URL, as browsers send it in Origin.
	Origin string
}

// New parses the staff templates.
func New(d Deps) (*Pages, error) {
	if d.Accounts == nil {
		return nil, errors.New("staff: no accounts store")
	}
	t, err := web.ParseTemplates(templateFS, nil, nil, "login", "password", "staff", "users", "audit")
	if err != nil {
		return nil, err
	}
	s := &Pages{site: d.Site, accounts: d.Accounts, log: d.Logger, templates: t, https: d.HTTPS, origin: d.Origin}
	s.pageBase = s.Page
	d.Site.Answer(web.Answer{Is: accounts.ErrBadCursor, Status: fiber.StatusBadRequest})
	return s, nil
}

// Page is the base of a staff page, with the header of the person signed in,
// if anyone is.
func (s *Pages) Page(c fiber.Ctx, title string) web.Page {
	p := s.site.Page(title)
	p.StaffArea = true
	if sess := SessionOf(c); sess != nil {
		p.Staff = &web.StaffBar{Name: sess.Name, CSRF: sess.CSRFToken}
	}
	return p
}

// Error answers with a plain page, with the staff header when signed in.
func (s *Pages) Error(c fiber.Ctx, status int, heading, message string) error {
	return s.site.ErrorPage(c, status, s.Page(c, heading), heading, message)
}

// NoRecord answers a staff page asking for a record that does not exist, for
// a domain's not-found error is; page packages register it (web.Site.Answer).
func NoRecord(is error) web.Answer {
	return web.Answer{Is: is, Status: fiber.StatusNotFound, Heading: "Record not found",
		Message: "There is no record with this reference. It may have been erased, or removed at the end of the retention period."}
}
