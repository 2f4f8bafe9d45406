package surveypages

import (
	"context"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/survey"
)

// formVersion is the version of d's survey a submitted form was rendered
// from: answers sent after a new version is published are read with the
// questions the person was shown, and stored and counted under that version.
// A version this instance has not seen (published on another one a moment
// ago) makes it read the library first; a form naming no version the service
// has is read with the current one.
func (p *Pages) formVersion(ctx context.Context, d *survey.Definition, form url.Values) *survey.Definition {
	return p.VersionOf(ctx, d, form.Get(survey.VersionField))
}

// VersionOf is version v of d's survey, as formVersion finds it; the JSON API
// uses it for submissions that name their version.
func (p *Pages) VersionOf(ctx context.Context, d *survey.Definition, v string) *survey.Definition {
	if v == "" || v == d.Version {
		return d
	}
	if old, ok := p.surveys.Version(d.Service, v); ok {
		return old
	}
	if p.follow.due() && p.follow.refresh(ctx) == nil {
		if cur, ok := p.surveys.Version(d.Service, v); ok {
			return cur
		}
	}
	return d
}

// follower reads the survey library again, at most once a second whatever
// versions forms name, so a hostile form cannot make every request read it.
type follower struct {
	refresh func(context.Context) error
	last    atomic.Int64 // unix nanoseconds of the last read
}

func (f *follower) due() bool {
	if f == nil || f.refresh == nil {
		return false
	}
	now, last := time.Now().UnixNano(), f.last.Load()
	return now-last >= int64(time.Second) && f.last.CompareAndSwap(last, now)
}

// Follow makes forms naming a version published since this instance last read
// the survey library read it again (see formVersion); refresh is the one
// serve's poll runs.
func (p *Pages) Follow(refresh func(context.Context) error) { p.follow = &follower{refresh: refresh} }

// blankForms holds each survey version's blank form in each language,
// rendered once: a version published while the service runs is rendered at
// its first request.
type blankForms struct {
	mu sync.RWMutex
	m  map[formKey]blankForm
}

func (b *blankForms) put(k formKey, f blankForm) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[k] = f
}

func (b *blankForms) get(k formKey) (blankForm, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	f, ok := b.m[k]
	return f, ok
}

// blankForm returns d's blank form in language l, rendering it if it is new.
func (p *Pages) blankForm(d *survey.Definition, l survey.Language) (blankForm, bool) {
	if f, ok := p.blankForms.get(formKey{d.Service, d.Version, l}); ok {
		return f, true
	}
	f, err := p.renderBlankForm(d, l)
	return f, err == nil
}

// Preview renders d's form exactly as a phone shows it (in English), for
// staff checking a draft before publishing it. Its nonce is not valid, so
// answers sent from it are never stored.
func (p *Pages) Preview(c fiber.Ctx, d *survey.Definition) error {
	return p.renderForm(c, fiber.StatusOK, survey.English, d, "preview", nil, nil, previewNotice)
}

// previewNotice is the catalogue key of the notice above a previewed draft.
const previewNotice = "survey.preview"
