package surveyadmin

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

type previewPage struct {
	web.Page
	Draft   *survey.Draft
	Changes []dashboards.SeriesChange
	Seconds int
	Problem string
}

// draft returns the draft named in the path.
func (p *Pages) draft(c fiber.Ctx) (*survey.Draft, error) {
	d, err := p.library.Draft(c.Context(), web.Param(c, "id"))
	if errors.Is(err, survey.ErrNoSuchDraft) {
		return nil, p.staff.RecordNotFound(c)
	}
	return d, err
}

// Preview is GET /admin/surveys/drafts/{id}: what changes for the
// dashboards, a link to the page as a phone shows it, and the publish button.
func (p *Pages) Preview(c fiber.Ctx) error {
	d, err := p.draft(c)
	if err != nil || d == nil {
		return err
	}
	return p.renderPreview(c, fiber.StatusOK, d, "")
}

func (p *Pages) renderPreview(c fiber.Ctx, status int, d *survey.Draft, problem string) error {
	cur, ok := p.surveys.Get(d.Definition.Service)
	if !ok {
		return p.site.NotFound(c)
	}
	var known []*survey.Definition
	for _, a := range p.surveys.Archive() {
		if a.Service == cur.Service {
			known = append(known, a)
		}
	}
	return p.site.Render(c, status, p.templates, "preview", previewPage{
		Page: p.staff.Page(c, "Preview: "+d.Definition.Title), Draft: d, Seconds: d.Definition.EstimatedSeconds(),
		Changes: dashboards.SeriesChanges(cur, d.Definition, known), Problem: problem,
	})
}

// Phone is GET /admin/surveys/drafts/{id}/phone: the survey page
// of the draft, rendered by the survey pages themselves.
func (p *Pages) Phone(c fiber.Ctx) error {
	d, err := p.draft(c)
	if err != nil || d == nil {
		return err
	}
	return p.phone.Preview(c, d.Definition)
}

// Publish is POST /admin/surveys/drafts/{id}/publish. If someone
// else published since the draft was made, nothing is published and the
// preview says so.
func (p *Pages) Publish(c fiber.Ctx) error {
	d, err := p.draft(c)
	if err != nil || d == nil {
		return err
	}
	pub, err := p.library.PublishOver(c.Context(), d.File, staff.SessionOf(c).Email, d.Base)
	var de *survey.DefinitionError
	switch {
	case errors.Is(err, survey.ErrPublishConflict), errors.Is(err, survey.ErrUnchanged):
		return p.renderPreview(c, fiber.StatusConflict, d, err.Error())
	case errors.As(err, &de):
		return p.renderPreview(c, fiber.StatusUnprocessableEntity, d, de.Message)
	case err != nil:
		return fmt.Errorf("publish survey: %w", err)
	}
	return p.afterPublish(c, actionSurveyPublished, pub)
}
