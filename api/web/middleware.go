package web

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"
)

// Body limits: a survey form with its longest answers fits in well under 64 KB;
// a JSON submission in 16 KB.
const (
	FormBodyLimit = 64 << 10
	JSONBodyLimit = 16 << 10
	// ReadBodyLimit is what the server reads before refusing. Bodies between
	// the route's limit and this one get a clean 413 from LimitBody; past it,
	// the server closes the connection, which a client still sending sees as
	// a reset rather than an answer.
	ReadBodyLimit = 4 << 20
)

const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

// surveyPolicy is the policy of the service users' pages, where an invited
// form loads the one script of the site (static/invite.js), which fetches
// from the site only. Staff pages run no script at all.
const surveyPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

// SecurityHeaders sets the headers every response carries; HSTS only when
// the site is served over https. Every answer on a survey route (page,
// redirect, refusal, error) is no-store: no browser or shared cache keeps
// that a survey was seen or sent, or what it said. A handler may loosen it
// deliberately (a form sent back with its answers, the public token key).
func SecurityHeaders(https bool) fiber.Handler {
	return func(c fiber.Ctx) error {
		h := &c.Response().Header
		if surveyPage(c.Path()) {
			h.Set("Content-Security-Policy", surveyPolicy)
			h.Set(fiber.HeaderCacheControl, "no-store")
		} else {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return c.Next()
	}
}

// RecoverPanics turns a panic into a 500. The log line says where, never what
// the request held.
func RecoverPanics(log *slog.Logger) fiber.Handler {
	return func(c fiber.Ctx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic in handler", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fiber.ErrInternalServerError
			}
		}()
		return c.Next()
	}
}

// RateLimit refuses clients that send more than l allows a minute, keyed on
// the client address site sees. Health checks and static assets are not
// counted; a nil l limits nothing.
func RateLimit(l *RateLimiter, site *Site) fiber.Handler {
	return func(c fiber.Ctx) error {
		p := c.Path()
		if l == nil || p == "/healthz" || p == "/readyz" || strings.HasPrefix(p, "/static/") {
			return c.Next()
		}
		if ok, retry := l.allow(site.ClientIP(c)); !ok {
			c.Set(fiber.HeaderRetryAfter, RetryAfter(retry))
			return fiber.ErrTooManyRequests
		}
		return c.Next()
	}
}

// RetryAfter is a Retry-After header's value for a wait: whole seconds, rounded up.
func RetryAfter(wait time.Duration) string { return strconv.Itoa(int(wait.Seconds()) + 1) }

// LimitBody refuses bodies over the route's limit with a 413.
func LimitBody(c fiber.Ctx) error {
	limit := FormBodyLimit
	if IsAPI(c) {
		limit = JSONBodyLimit
	}
	if len(c.Body()) > limit {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}
