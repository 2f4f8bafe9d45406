package api

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/survey"
)

const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(c fiber.Ctx) error {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Permissions-Policy", "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if s.https {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

// recoverPanics turns a panic into a 500. The log line says where, never what
// the request held.
func (s *Server) recoverPanics(c fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in handler", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fiber.ErrInternalServerError
		}
	}()
	return c.Next()
}

// rateLimit refuses clients that send more than the configured requests a
// minute. Health checks and static assets are not counted.
func (s *Server) rateLimit(c fiber.Ctx) error {
	p := c.Path()
	if s.limiter == nil || p == "/healthz" || p == "/readyz" || strings.HasPrefix(p, "/static/") {
		return c.Next()
	}
	if ok, retry := s.limiter.allow(s.proxies.clientAddress(c)); !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retry.Seconds())+1))
		return fiber.ErrTooManyRequests
	}
	return c.Next()
}

// limitBody refuses bodies over the route's limit with a 413.
func (s *Server) limitBody(c fiber.Ctx) error {
	limit := formBodyLimit
	if isAPI(c) {
		limit = jsonBodyLimit
	}
	if len(c.Body()) > limit {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// handleError decides the status of every error once, at the edge, and answers
// with a page or a problem document. Server errors are logged without request
// details: on survey routes even a path could help pin a response to a time.
func (s *Server) handleError(c fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code = fe.Code
	}
	if code >= 500 && code != fiber.StatusServiceUnavailable {
		// Errors can quote a staff e-mail address: logs never carry personal data.
		s.log.Error("server error", "status", code, "err", survey.Redact(err.Error()))
	}
	if isAPI(c) {
		return s.problem(c, code, "", nil)
	}
	if code == fiber.StatusNotFound {
		return s.notFound(c)
	}
	heading, message := errorText(code)
	data := errorPage{page: s.basePage(heading), Heading: heading, Message: message}
	return s.render(c, code, "error", data)
}

type errorPage struct {
	page
	Heading, Message, Back string
}

func errorText(code int) (heading, message string) {
	switch code {
	case fiber.StatusTooManyRequests:
		return "Too many requests", "We have had a lot of requests from your network. Please wait a minute and try again."
	case fiber.StatusRequestEntityTooLarge:
		return "Your answers are too long", "What you sent was larger than this survey accepts. Please shorten your answers and try again."
	case fiber.StatusServiceUnavailable:
		return "Sorry, please try again", "We could not save your answers just now. Nothing has been lost that we told you we kept. Please try again in a few minutes."
	case fiber.StatusMethodNotAllowed:
		return "This page cannot do that", "This address does not accept that kind of request."
	case fiber.StatusUnsupportedMediaType:
		return "Unsupported request", "This address does not accept that kind of content."
	}
	if code >= 500 {
		return "Sorry, something went wrong", "Something went wrong on our side. Please try again in a few minutes."
	}
	return "Sorry, we could not read that", "What your browser sent could not be read. Please go back and try again."
}

// notFound answers with a 404 page listing the real surveys, or a problem document.
func (s *Server) notFound(c fiber.Ctx) error {
	if isAPI(c) {
		return s.problem(c, fiber.StatusNotFound, "", nil)
	}
	return s.render(c, fiber.StatusNotFound, "notfound", struct {
		page
		Surveys []*surveyLink
	}{s.basePage("Page not found"), s.surveyLinks()})
}
