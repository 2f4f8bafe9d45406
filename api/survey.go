package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/survey"
)

// surveyPage is what the survey form template sees.
type surveyPage struct {
	page
	Survey   *survey.Definition
	Nonce    string
	Answers  formValues
	Honeypot string
	Notice   string
}

// formValues gives templates the answers as sent, so a re-shown form keeps
// exactly what the person typed.
type formValues url.Values

func (v formValues) Text(id string) string {
	if vs := v[id]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (v formValues) Has(id, value string) bool { return slices.Contains(v[id], value) }

type surveyLink struct{ Service, Title string }

func (s *Server) surveyLinks() []*surveyLink {
	var out []*surveyLink
	for _, d := range s.surveys.All() {
		out = append(out, &surveyLink{Service: d.Service, Title: d.Title})
	}
	return out
}

// definition finds the survey named in the path, or answers 404.
func (s *Server) definition(c fiber.Ctx) (*survey.Definition, bool) {
	name := c.Params("service")
	if !survey.ValidService(name) {
		return nil, false
	}
	return s.surveys.Get(name)
}

func (s *Server) surveyForm(c fiber.Ctx) error {
	d, ok := s.definition(c)
	if !ok {
		return s.notFound(c)
	}
	return s.showForm(c, fiber.StatusOK, d, nil, nil, "")
}

// showForm renders the form with a fresh nonce. Pages carrying a nonce are
// never stored by the browser or any cache.
func (s *Server) showForm(c fiber.Ctx, status int, d *survey.Definition, values url.Values, ve *survey.ValidationError, notice string) error {
	nonce, err := s.responses.Keys().Issue(c.Context(), d.Service)
	if err != nil {
		return fiber.ErrServiceUnavailable
	}
	return s.renderForm(c, status, d, nonce, values, ve, notice)
}

func (s *Server) renderForm(c fiber.Ctx, status int, d *survey.Definition, nonce string, values url.Values, ve *survey.ValidationError, notice string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if blank, ok := s.blankForms[d.Service]; ok && values == nil && ve == nil && notice == "" {
		// The blank form differs per request only by its nonce: send the page
		// rendered at start-up around it.
		c.Status(status)
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		buf := make([]byte, 0, len(blank.before)+len(nonce)+len(blank.after))
		buf = append(append(append(buf, blank.before...), nonce...), blank.after...)
		return c.Send(buf)
	}
	data := surveyPage{page: s.basePage(d.Title), Survey: d, Nonce: nonce, Answers: formValues(values), Notice: notice}
	data.EmergencyAtTop = true
	data.Errors = ve
	if values != nil {
		data.Honeypot = values.Get(survey.HoneypotField)
	}
	return s.render(c, status, "survey", data)
}

// blankForm is a survey's form rendered once, split where its nonce goes.
type blankForm struct{ before, after []byte }

// nonceSlot marks where the nonce goes; it needs no escaping, like a nonce.
const nonceSlot = "NONCE-SLOT-4f1c9a"

func (s *Server) renderBlankForms() error {
	s.blankForms = map[string]blankForm{}
	for _, d := range s.surveys.All() {
		data := surveyPage{page: s.basePage(d.Title), Survey: d, Nonce: nonceSlot}
		data.EmergencyAtTop = true
		var buf bytes.Buffer
		if err := s.pages.sets["survey"].ExecuteTemplate(&buf, "layout", data); err != nil {
			return fmt.Errorf("render blank form %s: %w", d.Service, err)
		}
		before, after, ok := bytes.Cut(buf.Bytes(), []byte(nonceSlot))
		if !ok || bytes.Contains(after, []byte(nonceSlot)) {
			return fmt.Errorf("render blank form %s: nonce slot not found once", d.Service)
		}
		s.blankForms[d.Service] = blankForm{before: before, after: after}
	}
	return nil
}

func (s *Server) surveySubmit(c fiber.Ctx) error {
	d, ok := s.definition(c)
	if !ok {
		return s.notFound(c)
	}
	if ct := string(c.Request().Header.ContentType()); !isForm(ct) {
		return fiber.ErrUnsupportedMediaType
	}
	values, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return fiber.ErrBadRequest
	}
	nonces := values[survey.NonceField]
	answers, ve := d.ParseForm(values)
	if ve != nil {
		// Keep the nonce the person had: a fixed form is still the same form.
		if len(nonces) == 1 {
			if _, err := s.responses.Keys().BallotID(c.Context(), d.Service, nonces[0]); err == nil {
				return s.renderForm(c, fiber.StatusUnprocessableEntity, d, nonces[0], values, ve, "")
			}
		}
		return s.showForm(c, fiber.StatusUnprocessableEntity, d, values, ve, "")
	}
	if len(nonces) != 1 {
		return s.showForm(c, fiber.StatusUnprocessableEntity, d, values, nil, expiredNotice)
	}
	outcome, err := s.responses.Submit(c.Context(), d, nonces[0], answers)
	switch {
	case errors.Is(err, survey.ErrNonce):
		return s.showForm(c, fiber.StatusUnprocessableEntity, d, values, nil, expiredNotice)
	case err != nil:
		// Not stored, not acknowledged: show the answers again with the same
		// nonce, so trying again cannot store them twice.
		return s.renderForm(c, fiber.StatusServiceUnavailable, d, nonces[0], values, nil, unavailableNotice)
	}
	target := "/s/" + d.Service + "/thanks"
	if outcome == survey.AlreadyReceived {
		target += "?already=1"
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(target)
}

const (
	expiredNotice     = "This form had been open for a long time, so we could not accept it. Your answers are still here: please check them and send them again."
	unavailableNotice = "Sorry, we could not save your answers just now. They have not been stored. Your answers are still here: please try sending them again in a minute."
)

func (s *Server) surveyThanks(c fiber.Ctx) error {
	d, ok := s.definition(c)
	if !ok {
		return s.notFound(c)
	}
	return s.render(c, fiber.StatusOK, "thanks", struct {
		page
		Already bool
	}{s.basePage("Thank you – " + d.Title), c.Query("already") == "1"})
}

func isForm(contentType string) bool {
	ct, _, _ := mimeType(contentType)
	return ct == "application/x-www-form-urlencoded"
}
