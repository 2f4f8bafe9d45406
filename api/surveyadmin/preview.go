package surveyadmin

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

type previewPage struct {
	web.Page
	Draft    *survey.Draft
	Changes  []dashboards.SeriesChange
	Warnings []string // where one language changed and the other did not
	Seconds  int
}

// draft returns the draft named in the path.
func (p *Pages) draft(c fiber.Ctx) (*survey.Draft, error) {
	return p.library.Draft(c.Context(), web.Param(c, "id"))
}

// Preview is GET /admin/surveys/drafts/{id}: what changes for the
// dashboards, a link to the page as a phone shows it, and the publish button.
func (p *Pages) Preview(c fiber.Ctx) error {
	d, err := p.draft(c)
	if err != nil {
		return err
	}
	return p.renderPreview(c, d)
}

func (p *Pages) renderPreview(c fiber.Ctx, d *survey.Draft) error {
	cur, ok := p.surveys.Get(d.Definition.Service)
	if !ok {
		return p.site.NotFound(c)
	}
	return p.site.Render(c, fiber.StatusOK, p.templates, "preview", previewPage{
		Page: p.staff.Page(c, "Preview: "+d.Definition.Title), Draft: d, Seconds: d.Definition.EstimatedSeconds(),
		Changes:  p.series(cur.Service, d.Definition),
		Warnings: survey.LanguageWarnings(cur, d.Definition),
	})
}

// publishRefusals are shown on the publish confirmation again.
var publishRefusals = web.Answers{
	{Is: survey.ErrPublishConflict, Status: fiber.StatusConflict, Explain: error.Error},
	{Is: survey.ErrUnchanged, Status: fiber.StatusConflict, Explain: error.Error},
	{Is: survey.ErrInvalidDefinition, Status: fiber.StatusUnprocessableEntity, Explain: error.Error},
}

// Phone is GET /admin/surveys/drafts/{id}/phone: the survey page
// of the draft, rendered by the survey pages themselves.
func (p *Pages) Phone(c fiber.Ctx) error {
	d, err := p.draft(c)
	if err != nil {
		return err
	}
	return p.phone.Preview(c, d.Definition)
}

// Publish is POST /admin/surveys/drafts/{id}/publish, confirmed on the page
// ConfirmPublish shows. If someone else published since the draft was made,
// nothing is published and that page says so.
func (p *Pages) Publish(c fiber.Ctx) error {
	d, err := p.draft(c)
	if err != nil {
		return err
	}
	pub, err := p.library.PublishOver(c.Context(), d.File, staff.SessionOf(c).Email, d.Base)
	if err != nil {
		// Unwrapped: a refusal's notice is the library's own words.
		return web.ShowAgain(err, publishRefusals, func(a web.Again) error {
			return p.renderConfirmPublish(c, a.Status, d, a.Notice)
		})
	}
	return p.afterPublish(c, actionSurveyPublished, pub)
}
