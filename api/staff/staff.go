// Package staff serves the staff's own pages: signing in and out, sessions
// and CSRF defences, the staff home page, and the administrators' screens
// (accounts, the audit log, practitioners, subject access and erasure). The
// intake and dashboard screens use its middleware and page header.
package staff

import (
	"embed"
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/intake"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages are the staff pages and the middleware that guards every staff route.
type Pages struct {
	site      *web.Site
	accounts  *accounts.Store
	intake    *intake.Store
	log       *slog.Logger
	templates web.Templates
	https     bool
	origin    string
}

// Deps are what the staff pages need.
type Deps struct {
	Site     *web.Site
	Accounts *accounts.Store
	// Intake is read by the admins' practitioner, subject-access and erasure screens.
	Intake *intake.Store
	Logger *slog.Logger
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
	if d.Intake == nil {
		return nil, errors.New("staff: no intake store")
	}
	t, err := web.ParseTemplates(templateFS, nil, nil, "login", "password", "staff", "users", "audit",
		"practitioners", "practitioner", "people_admin", "person_erase")
	if err != nil {
		return nil, err
	}
	return &Pages{site: d.Site, accounts: d.Accounts, intake: d.Intake, log: d.Logger, templates: t,
		https: d.HTTPS, origin: d.Origin}, nil
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
