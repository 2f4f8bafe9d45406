package api

import (
	"encoding/json"
	"net/http"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/survey"
)

// Problem is an RFC 9457 problem document, with the field-by-field errors of a
// rejected submission.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Errors []survey.FieldError `json:"errors,omitempty"`
}

// problem writes the one kind of JSON error this service gives.
func (s *Server) problem(c fiber.Ctx, status int, detail string, fields []survey.FieldError) error {
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields}
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
