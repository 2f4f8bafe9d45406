package surveyadmin

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// comparing is what the compare form needs: the numbers to choose from and
// the two chosen.
type comparing struct {
	Service    string
	Numbers    []int
	FromN, ToN int
}

func newComparing(service string, history []*survey.Published, from, to int) comparing {
	c := comparing{Service: service, FromN: from, ToN: to}
	for _, p := range history {
		c.Numbers = append(c.Numbers, p.Number)
	}
	return c
}

type comparePage struct {
	web.Page
	Compare  comparing
	From, To *survey.Published
	Diff     survey.Diff
}

// Compare is GET /admin/surveys/{service}/compare?from=A&to=B: what changed
// between two versions, question by question. Without numbers, or with one
// the library does not hold, it compares the current version with the one
// before it.
func (p *Pages) Compare(c fiber.Ctx) error {
	service := web.Param(c, "service")
	history, err := p.library.History(c.Context(), service)
	if err != nil {
		return err
	}
	n := len(history)
	if n == 0 {
		return p.site.NotFound(c)
	}
	from, to := version(history, web.Query(c, "from"), max(n-1, 1)), version(history, web.Query(c, "to"), n)
	return p.site.Render(c, fiber.StatusOK, p.templates, "compare", comparePage{
		Page:    p.staff.Page(c, "Compare versions: "+service),
		Compare: newComparing(service, history, from.Number, to.Number),
		From:    from, To: to, Diff: survey.Compare(from.Definition, to.Definition),
	})
}

// version is the version numbered by s, or number fallback.
func version(history []*survey.Published, s string, fallback int) *survey.Published {
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(history) {
		return history[n-1]
	}
	return history[fallback-1]
}

// confirmPage asks before a publish or a roll back, saying what will change.
type confirmPage struct {
	web.Page
	Heading, Explain, Button string
	Action, Cancel           string
	Number                   int // the version rolled back to; 0 for a publish
	Current                  int
	Diff                     survey.Diff
	Warnings                 []string
	Changes                  []dashboards.SeriesChange
	Problem                  string
}

// series is what changes for the dashboards if next replaces the current version.
func (p *Pages) series(service string, next *survey.Definition) []dashboards.SeriesChange {
	cur, ok := p.surveys.Get(service)
	if !ok {
		return nil
	}
	var known []*survey.Definition
	for _, a := range p.surveys.Archive() {
		if a.Service == service {
			known = append(known, a)
		}
	}
	return dashboards.SeriesChanges(cur, next, known)
}

// ConfirmRollback is GET /admin/surveys/{service}/rollback?number=N: what
// rolling back to number N changes, and the button that does it (POST).
func (p *Pages) ConfirmRollback(c fiber.Ctx) error {
	service := web.Param(c, "service")
	history, err := p.library.History(c.Context(), service)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(web.Query(c, "number"))
	if len(history) == 0 || n < 1 || n > len(history) {
		return p.site.NotFound(c)
	}
	cur, target := history[len(history)-1], history[n-1]
	page := confirmPage{
		Page:    p.staff.Page(c, "Roll back "+service+" to number "+strconv.Itoa(n)+"?"),
		Heading: "Roll back " + service + " to number " + strconv.Itoa(n) + "?",
		Explain: "This publishes the questions of number " + strconv.Itoa(n) + " (" + monthName(target.Month) + ") again, as number " +
			strconv.Itoa(cur.Number+1) + ". Answers already given stay with the versions they were given under.",
		Button: "Roll back to number " + strconv.Itoa(n), Action: "/admin/surveys/" + service + "/rollback",
		Cancel: "/admin/surveys/" + service, Number: n, Current: cur.Number,
		Diff:    survey.Compare(cur.Definition, target.Definition),
		Changes: p.series(service, target.Definition),
	}
	if n == cur.Number {
		page.Problem = "That version is the current one already: rolling back to it would change nothing."
	}
	return p.site.Render(c, fiber.StatusOK, p.templates, "confirm", page)
}

// ConfirmPublish is GET /admin/surveys/drafts/{id}/publish: what publishing
// the draft changes, warnings where one language changed and the other did
// not, and the button that publishes it (POST).
func (p *Pages) ConfirmPublish(c fiber.Ctx) error {
	d, err := p.draft(c)
	if err != nil {
		return err
	}
	return p.renderConfirmPublish(c, fiber.StatusOK, d, "")
}

func (p *Pages) renderConfirmPublish(c fiber.Ctx, status int, d *survey.Draft, problem string) error {
	service := d.Definition.Service
	history, err := p.library.History(c.Context(), service)
	if err != nil {
		return err
	}
	if len(history) == 0 {
		return p.site.NotFound(c)
	}
	cur := history[len(history)-1]
	return p.site.Render(c, status, p.templates, "confirm", confirmPage{
		Page:    p.staff.Page(c, "Publish this draft of "+service+"?"),
		Heading: "Publish this draft of " + service + "?",
		Explain: "This publishes the draft as number " + strconv.Itoa(cur.Number+1) + ".",
		Button:  "Publish as number " + strconv.Itoa(cur.Number+1), Action: "/admin/surveys/drafts/" + d.ID + "/publish",
		Cancel: "/admin/surveys/drafts/" + d.ID, Current: cur.Number,
		Diff:     survey.Compare(cur.Definition, d.Definition),
		Warnings: survey.LanguageWarnings(cur.Definition, d.Definition),
		Changes:  p.series(service, d.Definition),
		Problem:  problem,
	})
}
