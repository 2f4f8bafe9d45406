package api

import (
	"net/url"

	"github.com/gofiber/fiber/v3"
)

// fieldError is one problem with a staff form, shown in the error summary and
// beside the field whose id it names.
type fieldError struct{ Field, Message string }

// fieldErrors are the problems with a staff form, in the order of its fields.
type fieldErrors []fieldError

func (e *fieldErrors) add(field, message string) { *e = append(*e, fieldError{field, message}) }

// For returns the message for a field, or "".
func (e fieldErrors) For(field string) string {
	for _, f := range e {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// Summary lists each message once, linked to the first field it concerns: a
// failed sign-in marks both fields with one message.
func (e fieldErrors) Summary() []fieldError {
	var out []fieldError
	seen := map[string]bool{}
	for _, f := range e {
		if !seen[f.Message] {
			seen[f.Message] = true
			out = append(out, f)
		}
	}
	return out
}

// form parses a url-encoded body once per request. The values are copies, not
// views into Fiber's reused buffers, so they are safe to keep.
func (s *Server) form(c fiber.Ctx) (url.Values, error) {
	if v, ok := c.Locals(formLocal).(url.Values); ok {
		return v, nil
	}
	if !isForm(string(c.Request().Header.ContentType())) {
		return nil, fiber.ErrUnsupportedMediaType
	}
	v, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return nil, fiber.ErrBadRequest
	}
	c.Locals(formLocal, v)
	return v, nil
}
