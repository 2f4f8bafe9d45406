package web

import (
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/field"
)

// Values gives templates a form's answers as sent, so a form shown again
// keeps exactly what the person typed.
type Values url.Values

// Text is the first value of a field, or "".
func (v Values) Text(id string) string {
	if vs := v[id]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Has reports whether a field was sent with value (a ticked box or option).
func (v Values) Has(id, value string) bool { return slices.Contains(v[id], value) }

// Choice is one radio button of a form.
type Choice struct{ Value, Label string }

// Checked is the value a ticked checkbox sends.
const Checked = "yes"

// formLocal is the c.Locals key of a request's parsed form.
type formLocal struct{}

// Form parses a url-encoded body once per request. The values are copies, not
// views into Fiber's reused buffers, so they are safe to keep.
func Form(c fiber.Ctx) (url.Values, error) {
	if v, ok := c.Locals(formLocal{}).(url.Values); ok {
		return v, nil
	}
	if !IsForm(string(c.Request().Header.ContentType())) {
		return nil, fiber.ErrUnsupportedMediaType
	}
	v, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return nil, fiber.ErrBadRequest
	}
	c.Locals(formLocal{}, v)
	return v, nil
}

// IsForm reports whether a Content-Type header names a url-encoded form.
func IsForm(contentType string) bool {
	ct, _, _ := MediaType(contentType)
	return ct == "application/x-www-form-urlencoded"
}

// MediaType parses a Content-Type header, the type in lower case.
func MediaType(header string) (string, map[string]string, error) {
	ct, params, err := mime.ParseMediaType(header)
	return strings.ToLower(ct), params, err
}

// inputView is one text input of a staff form, for the "input" template: its
// label, hint, the answer kept and its error.
type inputView struct {
	Name, Type, Label, Hint, Value, Error string
}

// newInputView is the template function "input": form and problems are the
// page's, then the field's name, input type, label and hint.
func newInputView(form Values, problems field.Errors, name, typ, label, hint string) inputView {
	return inputView{Name: name, Type: typ, Label: label, Hint: hint, Value: form.Text(name), Error: problems.For(name)}
}

// radiosView is one group of radio buttons, for the "radios" template. The
// first button's id is the field's name, where the error summary links.
type radiosView struct {
	Name, Legend, Value, Error string
	Choices                    []Choice
}

func newRadiosView(form Values, problems field.Errors, name, legend string, choices []Choice) radiosView {
	return radiosView{Name: name, Legend: legend, Value: form.Text(name), Error: problems.For(name), Choices: choices}
}
