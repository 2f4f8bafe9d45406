package surveypages

import (
	"net/url"
	"sync"

	"github.com/feedback-service/feedback/survey"
	"github.com/gofiber/fiber/v3"
)

// formVersion is the version of d's survey a submitted form was rendered
// from: answers sent after a new version is published are read with the
// questions the person was shown, and stored and counted under that version.
// A form naming no version the service knows is read with the current one.
func (p *Pages) formVersion(d *survey.Definition, form url.Values) *survey.Definition {
	v := form.Get(survey.VersionField)
	if v == "" || v == d.Version {
		return d
	}
	if old, ok := p.surveys.Version(d.Service, v); ok {
		return old
	}
	return d
}

// blankForms holds each survey version's blank form, rendered once: a version
// published while the service runs is rendered at its first request.
type blankForms struct {
	mu sync.RWMutex
	m  map[string]blankForm // service|version
}

func (b *blankForms) put(d *survey.Definition, f blankForm) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[d.Service+"|"+d.Version] = f
}

func (b *blankForms) get(d *survey.Definition) (blankForm, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	f, ok := b.m[d.Service+"|"+d.Version]
	return f, ok
}

// blankForm returns d's blank form, rendering it if it is new.
func (p *Pages) blankForm(d *survey.Definition) (blankForm, bool) {
	if f, ok := p.blankForms.get(d); ok {
		return f, true
	}
	f, err := p.renderBlankForm(d)
	return f, err == nil
}

// Preview renders d's form exactly as a phone shows it, for staff checking a
// draft before publishing it. Its nonce is not valid, so answers sent from it
// are never stored.
func (p *Pages) Preview(c fiber.Ctx, d *survey.Definition) error {
	return p.renderForm(c, fiber.StatusOK, d, "preview", nil, nil, previewNotice)
}

const previewNotice = "Preview of a draft: this is how the survey will look. Answers sent from this page are not stored."
