// Package api is the HTTP face of the service: it wires one Fiber app from
// the pages of each audience (surveypages, staff, intakepages, dashpages, on
// what package web shares) and serves the JSON API itself (/api/v1, problem
// documents, the OpenAPI document). Every route and the middleware order are
// written in routes.go. Handlers are thin: they decode, call one domain
// function and render.
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
	"github.com/feedback-service/feedback/api/dashpages"
	"github.com/feedback-service/feedback/api/intakepages"
	"github.com/feedback-service/feedback/api/moderationpages"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/surveyadmin"
	"github.com/feedback-service/feedback/api/surveypages"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/api/yousaidpages"
	"github.com/feedback-service/feedback/ballotbox"
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
	// to public routes; 0 turns this limit and Submissions off.
	RateLimit int
	// Submissions limits the answers one sender (a client address for open
	// answers, an invitation or token for invited ones) may send to one survey;
	// zero means web.DefaultSubmissionLimits, a negative limit none.
	Submissions web.SubmissionLimits
	// TrustedProxies lists proxy addresses or CIDR ranges whose X-Forwarded-For
	// is believed; requests from anywhere else are keyed by their own address.
	TrustedProxies []string
	// SupportPhone is the 24/7 support line shown on every page, if set.
	SupportPhone string
	// OfficePhone and OfficeEmail reach the service's office, for a reply or
	// a complaint: the survey's thank-you page shows them when set.
	OfficePhone, OfficeEmail string
}

// Server is the HTTP application and what it serves.
type Server struct {
	App *fiber.App

	cfg        Config
	store      *store.Store
	surveys    *survey.Catalogue
	responses  *ballotbox.Responses
	dashboards *dashboards.Dashboards
	site       *web.Site
	surveyPage *surveypages.Pages
	staff      *staff.Pages
	intake     *intakepages.Pages
	dash       *dashpages.Pages
	moderation *moderationpages.Pages
	surveyAdm  *surveyadmin.Pages  // nil without a survey library
	youSaid    *yousaidpages.Pages // nil without a survey library
	limiter    *web.RateLimiter
	senders    *web.SubmissionLimiter // nil: no limit on answers
	log        *slog.Logger
	https      bool
	inFlight   atomic.Int64
	requests   RequestObserver // nil: requests are not counted
	patternSet                 // route patterns, for labels
}

// Deps are the domain services the HTTP layer calls.
type Deps struct {
	Store     *store.Store
	Surveys   *survey.Catalogue
	Responses *ballotbox.Responses
	Accounts  *accounts.Store
	// Intake holds identities, in its own database; the survey side never sees it.
	Intake *intake.Store
	// Dashboards publishes the survey's aggregates to quality leads.
	Dashboards *dashboards.Dashboards
	Logger     *slog.Logger
	// Requests counts answered requests by route pattern; nil counts nothing.
	Requests RequestObserver
	// Invitations checks the single-use invitations in survey texts, and
	// InvitationLinks mints one-off links call handlers give; nil turns
	// invitations off (/i/ links are not found).
	Invitations     surveypages.Invitations
	InvitationLinks intake.InvitationLinks
	// Tokens exchanges invitations for blind signatures, for browsers with
	// JavaScript (POST /s/{service}/token); nil turns the exchange off.
	Tokens surveypages.Tokens
	// SurveyLibrary keeps every published survey version; admins publish new
	// ones at /admin/surveys. SurveysPublished applies a publish to this
	// instance at once (others follow within seconds); nil turns the screens off.
	SurveyLibrary    *survey.Library
	SurveysPublished func(context.Context) error
	// CommentNamesSaved has this instance's comment check use the
	// practitioners' names at once after an admin saved them at
	// /admin/comment-names (others follow within a minute); required with
	// SurveyLibrary.
	CommentNamesSaved func(context.Context) error
	// Now is the clock the rate limit reads; required.
	Now func() time.Time
}

// New builds the app with every route and middleware.
func New(cfg Config, deps Deps) (*Server, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", cfg.BaseURL, err)
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		return nil, errors.New("api: no clock (Deps.Now)")
	}
	s := &Server{
		cfg:        cfg,
		store:      deps.Store,
		surveys:    deps.Surveys,
		responses:  deps.Responses,
		dashboards: deps.Dashboards,
		log:        deps.Logger,
		requests:   deps.Requests,
		https:      u.Scheme == "https",
	}
	if err := s.buildPages(deps, origin(u)); err != nil {
		return nil, err
	}
	s.limiter = web.NewRateLimiter(cfg.RateLimit, time.Minute, deps.Now)
	if cfg.RateLimit > 0 {
		limits := cfg.Submissions
		if limits == (web.SubmissionLimits{}) {
			limits = web.DefaultSubmissionLimits
		}
		s.senders = web.NewSubmissionLimiter(limits, deps.Now)
		s.surveyPage.LimitSubmissions(s.senders)
	}
	s.App = fiber.New(fiber.Config{
		AppName:      "feedback",
		BodyLimit:    web.ReadBodyLimit,
		ReadTimeout:  15 * time.Second,
		WriteTimeout: 15 * time.Second,
		IdleTimeout:  60 * time.Second,
		ErrorHandler: s.site.HandleError,
		TrustProxy:   len(cfg.TrustedProxies) > 0,
		TrustProxyConfig: fiber.TrustProxyConfig{
			Proxies: cfg.TrustedProxies,
		},
		ProxyHeader: proxyHeader(cfg.TrustedProxies),
	})
	s.routes()
	return s, nil
}

// buildPages builds each audience's pages on one shared site.
func (s *Server) buildPages(deps Deps, origin string) error {
	var err error
	proxies, err := web.ParseTrustedProxies(s.cfg.TrustedProxies)
	if err != nil {
		return err
	}
	s.site, err = web.NewSite(web.SiteConfig{SupportPhone: s.cfg.SupportPhone, SurveyList: func() []web.SurveyLink { return surveypages.Links(deps.Surveys) }, Logger: deps.Logger, Proxies: proxies,
		Redact: survey.Redact})
	if err != nil {
		return err
	}
	if s.surveyPage, err = surveypages.New(s.site, deps.Surveys, deps.Responses, deps.Invitations,
		surveypages.Contact{OfficePhone: s.cfg.OfficePhone, OfficeEmail: s.cfg.OfficeEmail}); err != nil {
		return err
	}
	s.surveyPage.UseTokens(deps.Tokens)
	s.staff, err = staff.New(staff.Deps{Site: s.site, Accounts: deps.Accounts, Logger: deps.Logger,
		HTTPS: s.https, Origin: origin})
	if err != nil {
		return err
	}
	if s.intake, err = intakepages.New(s.site, s.staff, deps.Intake, deps.InvitationLinks); err != nil {
		return err
	}
	if s.dash, err = dashpages.New(s.site, s.staff, deps.Dashboards); err != nil {
		return err
	}
	if s.moderation, err = moderationpages.New(s.site, s.staff, deps.Dashboards); err != nil {
		return err
	}
	if deps.SurveyLibrary != nil {
		s.surveyPage.Follow(deps.SurveysPublished)
		k := 0 // the notice then says "at least 1": no dashboards, nothing published
		if deps.Dashboards != nil {
			k = deps.Dashboards.K()
		}
		s.surveyPage.UseSettings(deps.SurveyLibrary, k)
		if s.youSaid, err = yousaidpages.New(s.site, s.staff, deps.SurveyLibrary, deps.Surveys, deps.Now); err != nil {
			return err
		}
		s.surveyAdm, err = surveyadmin.New(surveyadmin.Deps{Site: s.site, Staff: s.staff, Library: deps.SurveyLibrary,
			Surveys: deps.Surveys, Phone: s.surveyPage, Published: deps.SurveysPublished, NamesSaved: deps.CommentNamesSaved})
	}
	return err
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

// unmatched answers requests no route matched.
func (s *Server) unmatched(c fiber.Ctx) error {
	c.Locals(unmatchedLocal, true)
	return s.site.NotFound(c)
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
	s.limiter.Stop()
	s.senders.Stop()
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
