package api

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/surveypages"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// surveySummary is one entry of GET /api/v1/surveys.
type surveySummary struct {
	Service string `json:"service"`
	Title   string `json:"title"`
	Version string `json:"version"`
	URL     string `json:"url"`
}

func (s *Server) apiListSurveys(c fiber.Ctx) error {
	out := struct {
		Surveys []surveySummary `json:"surveys"`
	}{Surveys: []surveySummary{}}
	for _, d := range s.surveys.All() {
		out.Surveys = append(out.Surveys, surveySummary{
			Service: d.Service, Title: d.Title, Version: d.Version, URL: s.cfg.BaseURL + "/s/" + d.Service,
		})
	}
	return c.JSON(out)
}

// apiSurvey is GET /api/v1/surveys/{service}: the definition, and a nonce to
// submit one response with.
type apiSurvey struct {
	Service   string            `json:"service"`
	Version   string            `json:"version"`
	Title     string            `json:"title"`
	Intro     string            `json:"intro"`
	Questions []survey.Question `json:"questions"`
	Nonce     string            `json:"nonce"`

	// Cy is the title and intro in Welsh; each question carries its own.
	Cy *survey.DefinitionWelsh `json:"cy,omitempty"`
}

func (s *Server) apiGetSurvey(c fiber.Ctx) error {
	d, ok := surveypages.Definition(s.surveys, c)
	if !ok {
		return web.Problem(c, fiber.StatusNotFound, "There is no survey with that name. GET /api/v1/surveys lists them.", nil)
	}
	nonce, err := s.responses.Keys().Issue(c.Context(), d.Service)
	if err != nil {
		return fiber.ErrServiceUnavailable
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(apiSurvey{Service: d.Service, Version: d.Version, Title: d.Title, Intro: d.Intro, Cy: d.Cy, Questions: d.Questions, Nonce: nonce})
}

func (s *Server) apiSubmit(c fiber.Ctx) error {
	d, ok := surveypages.Definition(s.surveys, c)
	if !ok {
		return web.Problem(c, fiber.StatusNotFound, "There is no survey with that name. GET /api/v1/surveys lists them.", nil)
	}
	if ct, _, err := web.MediaType(string(c.Request().Header.ContentType())); err != nil || ct != fiber.MIMEApplicationJSON {
		return web.Problem(c, fiber.StatusUnsupportedMediaType, "Send the answers as application/json.", nil)
	}
	body := c.Body()
	if len(body) > web.JSONBodyLimit {
		return web.Problem(c, fiber.StatusRequestEntityTooLarge, "The body is larger than 16 KB.", nil)
	}
	// Answers to the version the client was given, even if published over since.
	d = s.surveyPage.VersionOf(c.Context(), d, survey.SubmittedVersion(body))
	nonce, answers, ve := d.ParseJSON(body)
	if ve != nil {
		return web.Problem(c, fiber.StatusUnprocessableEntity, "The answers were not stored. See errors for each problem.", surveypages.FieldErrors(ve))
	}
	// Every answer through the API is open: limited per client address and survey.
	if ok, retry := s.senders.Allow(surveypages.OpenSender(s.site.ClientIP(c), d.Service)); !ok {
		c.Set(fiber.HeaderRetryAfter, web.RetryAfter(retry))
		return web.Problem(c, fiber.StatusTooManyRequests, "Too many answers to this survey from your address: nothing was stored. Send it again after Retry-After seconds.", nil)
	}
	rc, err := s.responses.Receive(c.Context(), ballotbox.Sent{Def: d, Nonces: []string{nonce}, Answers: answers})
	switch {
	case errors.Is(err, ballotbox.ErrNonce):
		return web.Problem(c, fiber.StatusUnprocessableEntity, "The answers were not stored.",
			field.Errors{{Field: "nonce", Message: "The nonce is not valid or has expired; GET the survey again for a new one"}})
	case err != nil:
		c.Set(fiber.HeaderRetryAfter, "30")
		return web.Problem(c, fiber.StatusServiceUnavailable, "The answers could not be stored just now and were not stored. Sending the same body again is safe.", nil)
	case rc.Outcome == ballotbox.AlreadyReceived:
		return web.Problem(c, fiber.StatusConflict, "A response with this nonce has already been stored; it was not stored again.", nil)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": "stored"})
}
