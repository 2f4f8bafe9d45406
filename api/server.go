// Package api is the HTTP face of the service: a Fiber app with the survey
// pages, the JSON API and the staff pages. Handlers are thin: they
// decode, call one domain function and render.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// Config is what the HTTP layer needs to know.
type Config struct {
	// BaseURL is the public address links are built from, e.g. https://feedback.example.org.
	BaseURL string
	// RateLimit is the number of requests a minute one client address may make
	// to public routes; 0 turns the limit off.
	RateLimit int
	// TrustedProxies lists proxy addresses or CIDR ranges whose X-Forwarded-For
	// is believed; requests from anywhere else are keyed by their own address.
	TrustedProxies []string
	// SupportPhone is the 24/7 support line shown on every page, if set.
	SupportPhone string
}

// Server is the HTTP application and what it serves.
type Server struct {
	App *fiber.App

	cfg        Config
	store      *store.Store
	surveys    *survey.Catalogue
	responses  *survey.Responses
	accounts   *accounts.Store
	intake     *intake.Store
	dashboards *dashboards.Dashboards
	pages      *pages
	blankForms map[string]blankForm
	limiter    *rateLimiter
	proxies    trustedProxies
	log        *slog.Logger
	https      bool
	origin     string // scheme://host[:port] of BaseURL, as browsers send it in Origin
	inFlight   atomic.Int64
	requests   RequestObserver // nil: requests are not counted
	patternSet                 // route patterns, for labels
}

// Deps are the domain services the HTTP layer calls.
type Deps struct {
	Store     *store.Store
	Surveys   *survey.Catalogue
	Responses *survey.Responses
	Accounts  *accounts.Store
	// Intake holds identities, in its own database; the survey side never sees it.
	Intake *intake.Store
	// Dashboards publishes the survey's aggregates to quality leads.
	Dashboards *dashboards.Dashboards
	Logger     *slog.Logger
	// Requests counts answered requests by route pattern; nil counts nothing.
	Requests RequestObserver
}

// New builds the app with every route and middleware.
func New(cfg Config, deps Deps) (*Server, error) {
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", cfg.BaseURL, err)
	}
	if deps.Accounts == nil {
		return nil, errors.New("api: no accounts store")
	}
	if deps.Intake == nil {
		return nil, errors.New("api: no intake store")
	}
	if deps.Dashboards == nil {
		return nil, errors.New("api: no dashboards")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	proxies, err := parseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		proxies:    proxies,
		store:      deps.Store,
		surveys:    deps.Surveys,
		responses:  deps.Responses,
		accounts:   deps.Accounts,
		intake:     deps.Intake,
		dashboards: deps.Dashboards,
		pages:      p,
		limiter:    newRateLimiter(cfg.RateLimit, time.Minute),
		log:        deps.Logger,
		requests:   deps.Requests,
		https:      u.Scheme == "https",
		origin:     origin(u),
	}
	s.App = fiber.New(fiber.Config{
		AppName:      "feedback",
		BodyLimit:    readBodyLimit,
		ReadTimeout:  15 * time.Second,
		WriteTimeout: 15 * time.Second,
		IdleTimeout:  60 * time.Second,
		ErrorHandler: s.handleError,
		TrustProxy:   len(cfg.TrustedProxies) > 0,
		TrustProxyConfig: fiber.TrustProxyConfig{
			Proxies: cfg.TrustedProxies,
		},
		ProxyHeader: proxyHeader(cfg.TrustedProxies),
	})
	if err := s.renderBlankForms(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// origin is how a browser names the site of u in an Origin header: no path,
// and no port when it is the scheme's default.
func origin(u *url.URL) string {
	host := strings.ToLower(u.Host)
	if p := u.Port(); (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
		host = strings.ToLower(u.Hostname())
	}
	return strings.ToLower(u.Scheme) + "://" + host
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// Body limits: a survey form with its longest answers fits in well under 64 KB;
// a JSON submission in 16 KB.
const (
	formBodyLimit = 64 << 10
	jsonBodyLimit = 16 << 10
	// readBodyLimit is what the server reads before refusing. Bodies between
	// the route's limit and this one get a clean 413 from limitBody; past it,
	// the server closes the connection, which a client still sending sees as
	// a reset rather than an answer.
	readBodyLimit = 4 << 20
)

// routes lists every route; middleware runs in the order written here.
func (s *Server) routes() {
	app := s.App
	app.Use(s.countInFlight)   // Shutdown waits for requests in handlers
	app.Use(s.observe)         // metrics; one log line for staff and API requests, none for surveys
	app.Use(s.recoverPanics)   // a panic is a 500 with no request details logged
	app.Use(s.securityHeaders) // CSP, nosniff, referrer, permissions, HSTS
	app.Use(s.rateLimit)       // per client address, in memory only
	app.Use(s.limitBody)       // 16 KB for the JSON API, 64 KB for forms

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/static/*", s.staticAsset)

	// Survey pages: no cookies, no per-request logs.
	app.Get("/s/:service", s.surveyForm)
	app.Post("/s/:service", s.surveySubmit)
	app.Get("/s/:service/thanks", s.surveyThanks)

	v1 := app.Group("/api/v1")
	v1.Get("/openapi.json", s.apiOpenAPI)
	v1.Get("/surveys", s.apiListSurveys)
	v1.Get("/surveys/:service", s.apiGetSurvey)
	v1.Post("/surveys/:service/responses", s.apiSubmit)

	// Staff pages: the only routes that read or set the session cookie. Each
	// chain runs left to right: never cached, session from the cookie, role
	// (which also sends a one-time password to be changed first), then the
	// CSRF token on anything that changes state.
	app.Get(loginPath, s.staffArea, s.loginForm)
	app.Post(loginPath, s.staffArea, s.checkOrigin, s.loginSubmit) // no session yet: Origin checks
	app.Post("/logout", s.staffArea, s.loadSession, s.logout)      // checks the token itself
	signedIn, admin := s.requireRole(), s.requireRole(accounts.RoleAdmin)
	handler := s.requireRole(accounts.RoleIntake)

	app.Get("/staff", s.staffArea, s.loadSession, signedIn, s.staffHome)

	account := app.Group("/account", s.staffArea, s.loadSession, signedIn, s.checkCSRF)
	account.Get("/password", s.passwordForm)
	account.Post("/password", s.passwordSubmit)

	adm := app.Group("/admin", s.staffArea, s.loadSession, admin, s.checkCSRF)
	adm.Get("/users", s.adminUsers)
	adm.Post("/users", s.adminAddUser)
	adm.Post("/users/enable", s.adminSetEnabled(true))
	adm.Post("/users/disable", s.adminSetEnabled(false))
	adm.Post("/users/password", s.adminResetPassword)
	adm.Get("/audit", s.adminAudit)
	adm.Get("/practitioners", s.adminPractitioners)
	adm.Post("/practitioners", s.adminAddPractitioner)
	adm.Get("/practitioners/:id", s.adminEditPractitioner)
	adm.Post("/practitioners/:id", s.adminUpdatePractitioner)
	adm.Post("/practitioners/:id/activate", s.adminSetPractitionerActive(true))
	adm.Post("/practitioners/:id/deactivate", s.adminSetPractitionerActive(false))
	adm.Get("/people", s.adminPeople)
	adm.Get("/people/:id/export", s.adminExportPerson)
	adm.Get("/people/:id/erase", s.adminEraseForm)
	adm.Post("/people/:id/erase", s.adminErasePerson)

	// Intake: call handlers only. Admins manage practitioners and answer
	// subject-access and erasure requests, but do not browse callers' records.
	in := app.Group("/intake", s.staffArea, s.loadSession, handler, s.checkCSRF)
	in.Get("/contacts/new", s.newContactForm)
	in.Post("/contacts/new", s.newContactSubmit)
	in.Get("/contacts/:id", s.contactPage)
	in.Post("/contacts/:id/close", s.closeContact)
	in.Get("/people", s.findPerson)
	in.Get("/people/:id", s.personHistory)

	staffAPI := app.Group("/api/staff", s.staffArea, s.loadSession, signedIn, s.checkCSRF)
	staffAPI.Get("/session", s.apiStaffSession)

	// Dashboards: read-only, for quality leads and admins; JSON answers 401/403
	// problems, pages the sign-in redirect and 403 page.
	quality := s.requireRole(accounts.RoleQuality, accounts.RoleAdmin)
	v1.Get("/stats/:service", s.staffArea, s.loadSession, quality, s.apiStats)
	dash := app.Group("/dashboards", s.staffArea, s.loadSession, quality)
	dash.Get("/", s.dashboardsOverview)
	dash.Get("/fft-return.csv", s.dashboardsFFTReturn)
	dash.Get("/:service", s.dashboardService)
	dash.Get("/:service/export.csv", s.dashboardExport)
	dash.Get("/:service/charts/:chart", s.dashboardChart)

	app.Get("/", func(c fiber.Ctx) error { return s.notFound(c) })
	app.Use(s.unmatched)
}

// unmatched answers requests no route matched.
func (s *Server) unmatched(c fiber.Ctx) error {
	c.Locals(unmatchedLocal, true)
	return s.notFound(c)
}

func (s *Server) healthz(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok\n")
}

func (s *Server) readyz(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, cancel := context.WithTimeout(c.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable\n")
	}
	return c.SendString("ready\n")
}

// Serve answers HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.App.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
}

// Shutdown stops accepting connections and waits for in-flight requests.
//
// It returns once no request is in a handler, rather than when every client
// has closed its connection: a browser's idle or pre-opened connection would
// otherwise hold shutdown up for the full read timeout. A client cut off
// before its request reached a handler sees a closed connection and retries;
// the form's nonce makes that safe.
func (s *Server) Shutdown(ctx context.Context) error {
	s.limiter.stop()
	done := make(chan error, 1)
	go func() { done <- s.App.ShutdownWithContext(ctx) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for ticks := 0; ; ticks++ {
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			// The listener closes at once; give requests already accepted a
			// moment to reach a handler before trusting the count.
			if ticks >= 5 && s.inFlight.Load() == 0 {
				return nil
			}
		}
	}
}

// countInFlight tracks requests inside handlers, for Shutdown.
func (s *Server) countInFlight(c fiber.Ctx) error {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	return c.Next()
}

// isAPI reports whether a request is for the JSON API, which answers errors
// with problem documents rather than pages.
func isAPI(c fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }
