package surveypages

import (
	"context"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/surveypages/i18n"
	"github.com/feedback-service/feedback/survey"
)

// thanksYouSaid is how many entries of "You said, we did" the thank-you page
// shows: enough to show answers lead somewhere, few enough to keep it small.
const thanksYouSaid = 3

// saidView is one month's "You said, we did" on a page: the month in the
// page's language, and the text in it when written, else in English, marked
// lang="en" for screen readers.
type saidView struct {
	Month      string
	Paragraphs []string
	Lang       string // set only when the text is not in the page's language
}

// youSaid is the service's latest n entries in language l; none when they
// cannot be read, as the pages showing them are about something else.
func (p *Pages) youSaid(ctx context.Context, service string, l survey.Language, n int) []saidView {
	if p.settings == nil {
		return nil
	}
	entries, err := p.settings.YouSaid(ctx, service)
	if err != nil {
		return nil
	}
	lang := p.langs[l]
	var out []saidView
	for _, e := range entries[:min(n, len(entries))] {
		text, in := e.In(l)
		v := saidView{Month: monthName(lang, e.Month), Paragraphs: survey.Paragraphs(text)}
		if in != l {
			v.Lang = p.langs[in].HTML()
		}
		out = append(out, v)
	}
	return out
}

// monthName is "November 2026" for "2026-11", in lang.
func monthName(lang *i18n.Lang, month string) string {
	if len(month) != len(survey.MonthLayout) || !lang.Has("month."+month[5:]) {
		return month
	}
	return lang.T("month."+month[5:]) + " " + month[:4]
}

// yousaidPage is the public page of a service's "You said, we did".
type yousaidPage struct {
	page
	Said []saidView
}

// YouSaid is GET /s/{service}/you-said-we-did: what changed because of the
// survey's answers, the latest month first, as quality leads wrote it.
func (p *Pages) YouSaid(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.notFound(c)
	}
	l := p.language(c)
	data := yousaidPage{page: p.base(l, p.langs[l].T("yousaid.title"), "/s/"+d.Service+"/you-said-we-did"),
		Said: p.youSaid(c.Context(), d.Service, l, survey.MaxYouSaid)}
	data.Home = "/s/" + d.Service
	return p.site.Render(c, fiber.StatusOK, p.templates, "yousaid", data)
}
