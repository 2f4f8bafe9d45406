package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/field"
)

// IsAPI reports whether a request is for the JSON API, which answers errors
// with problem documents rather than pages.
func IsAPI(c fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// HandleError decides the status of every error once, at the edge, and answers
// with a page or a problem document: a domain error by the table of answers
// (see Answer), anything else by its Fiber status or as a 500. Server errors
// are logged redacted and without request details: on survey routes even a
// path could help pin a response to a time.
func (s *Site) HandleError(c fiber.Ctx, err error) error {
	a, ok := s.answers.For(err)
	if !ok {
		a.Status = fiber.StatusInternalServerError
		var fe *fiber.Error
		if errors.As(err, &fe) {
			a.Status = fe.Code
		}
	}
	code := a.Status
	if code >= 500 && code != fiber.StatusServiceUnavailable {
		// Errors can quote a staff e-mail address: logs never carry personal data.
		s.log.Error("server error", "status", code, "err", s.redact(err.Error()))
	}
	if IsAPI(c) {
		return Problem(c, code, a.message(err), nil)
	}
	if code == fiber.StatusNotFound && !ok {
		return s.NotFound(c)
	}
	if s.surveyErrors != nil && surveyPage(c.Path()) &&
		(code == fiber.StatusTooManyRequests || code == fiber.StatusRequestEntityTooLarge) {
		return s.surveyErrors(c, code)
	}
	heading, message := errorText(code)
	if a.Heading != "" {
		heading, message = a.Heading, a.message(err)
	}
	return s.ErrorPage(c, code, s.pageFor(c, heading), heading, message)
}

// SetSurveyErrors has fn answer the refusals that come before any handler
// (too many requests, a body too large) on the survey pages, so a service
// user reads them in the survey's language and layout. Set once, at start-up.
func (s *Site) SetSurveyErrors(fn func(c fiber.Ctx, code int) error) { s.surveyErrors = fn }

// surveyPage says whether a path is one of the service users' survey pages.
func surveyPage(path string) bool {
	return strings.HasPrefix(path, "/s/") || strings.HasPrefix(path, "/i/")
}

// errorPage is a page that only says what went wrong.
type errorPage struct {
	Page
	Heading, Message, Back string
}

// ErrorPage answers with a plain page saying what went wrong, on base (which
// carries the staff header on staff pages).
func (s *Site) ErrorPage(c fiber.Ctx, status int, base Page, heading, message string) error {
	return s.Render(c, status, s.errorPages, "error", errorPage{Page: base, Heading: heading, Message: message})
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

// NotFound answers with a 404 page listing the real surveys, or a problem document.
func (s *Site) NotFound(c fiber.Ctx) error {
	if IsAPI(c) {
		return Problem(c, fiber.StatusNotFound, "", nil)
	}
	return s.Render(c, fiber.StatusNotFound, s.errorPages, "notfound", struct {
		Page
		Surveys []SurveyLink
	}{s.Page("Page not found"), s.surveys()})
}

// ProblemDocument is an RFC 9457 problem document, with the field-by-field
// errors of a rejected submission.
type ProblemDocument struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Errors []ProblemField `json:"errors,omitempty"`
}

// ProblemField is one entry of a problem document's errors. The API's only
// fields are a survey's questions (and its nonce), so the published contract
// calls the field "question"; it is absent for the body as a whole.
type ProblemField struct {
	Question string `json:"question,omitempty"`
	Message  string `json:"message"`
}

// Problem writes the one kind of JSON error this service gives, listing
// fields, if any, as the same field errors a page shows in its summary.
func Problem(c fiber.Ctx, status int, detail string, fields field.Errors) error {
	p := ProblemDocument{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
	for _, f := range fields {
		p.Errors = append(p.Errors, ProblemField{Question: f.Field, Message: f.Message})
	}
	if p.Title == "" {
		p.Title = "Error"
	}
	if detail == "" {
		_, p.Detail = errorText(status)
		if status == fiber.StatusNotFound {
			p.Detail = "There is nothing at this address. GET /api/v1/surveys lists the surveys."
		}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}
