package surveyadmin

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// NoticePath is the page of the privacy notice's facts: the controller, the
// data protection officer, the lawful basis and how long results are kept.
const NoticePath = "/admin/privacy-notice"

// actionPrivacyNoticeSaved is audited with how many of the notice's facts
// are set as its target ("4 of 5").
const actionPrivacyNoticeSaved accounts.Action = "privacy_notice_saved"

// noticeFact is one fact of the notice on the admins' page: what it is, and
// when unset, what the public notice says in its place.
type noticeFact struct {
	Label, Value, Fallback string
}

type noticePage struct {
	web.Page
	Form     web.Values
	Problems field.Errors
	Facts    []noticeFact
	Unset    int
	Saved    bool
	Month    string
	By       string
	Surveys  []serviceRow
}

// NoticeForm is GET /admin/privacy-notice.
func (p *Pages) NoticeForm(c fiber.Ctx) error {
	n, err := p.library.PrivacyNotice(c.Context())
	if err != nil {
		return err
	}
	form := web.Values{
		survey.NoticeControllerField: {n.Controller},
		survey.NoticeAddressField:    {n.Address},
		survey.NoticeDPOField:        {n.DPO},
		survey.NoticeBasisField:      {string(n.Basis)},
		survey.NoticeRetentionField:  {""},
	}
	if n.RetentionYears > 0 {
		form[survey.NoticeRetentionField] = []string{strconv.Itoa(n.RetentionYears)}
	}
	return p.renderNotice(c, fiber.StatusOK, n, form, nil, web.Query(c, "saved") == "1")
}

// SaveNotice is POST /admin/privacy-notice: replace the notice's facts and
// audit it; the public notice shows them from the next request.
func (p *Pages) SaveNotice(c fiber.Ctx) error {
	values, err := web.Form(c)
	if err != nil {
		return err
	}
	form := web.Values(values)
	years, err := survey.ParseRetentionYears(form.Text(survey.NoticeRetentionField))
	if err == nil {
		n := survey.PrivacyNotice{Controller: form.Text(survey.NoticeControllerField), Address: form.Text(survey.NoticeAddressField),
			DPO: form.Text(survey.NoticeDPOField), Basis: survey.LawfulBasis(form.Text(survey.NoticeBasisField)), RetentionYears: years}
		err = p.library.SetPrivacyNotice(c.Context(), n, staff.SessionOf(c).Email)
	}
	if err != nil {
		current, rerr := p.library.PrivacyNotice(c.Context())
		if rerr != nil {
			return rerr
		}
		return web.ShowAgain(err, nil, func(a web.Again) error {
			return p.renderNotice(c, a.Status, current, form, a.Problems, false)
		})
	}
	saved, err := p.library.PrivacyNotice(c.Context())
	if err != nil {
		return err
	}
	if err := p.staff.Audit(c, actionPrivacyNoticeSaved, strconv.Itoa(5-len(unsetFacts(saved)))+" of 5 set"); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(NoticePath + "?saved=1")
}

// unsetFacts lists the notice's facts that are not set, each with what the
// public notice says instead.
func unsetFacts(n survey.PrivacyNotice) []noticeFact {
	var out []noticeFact
	if n.Controller == "" {
		out = append(out, noticeFact{Label: "The controller (the organisation's name)",
			Fallback: "“The organisation that runs this service is the controller … Ask the office for its name and address.”"})
	}
	if n.Address == "" {
		out = append(out, noticeFact{Label: "The controller's address", Fallback: "no address"})
	}
	if n.DPO == "" {
		out = append(out, noticeFact{Label: "The data protection officer's contact",
			Fallback: "“Contact the office and ask for the data protection officer.”, with the office's phone and e-mail if set"})
	}
	if n.Basis == "" {
		out = append(out, noticeFact{Label: "The lawful basis", Fallback: "“Ask the office which lawful basis under the UK GDPR we rely on.”"})
	}
	if n.RetentionYears == 0 {
		out = append(out, noticeFact{Label: "How long results are kept",
			Fallback: "“The results are kept for as long as we use them to improve the service.”"})
	}
	return out
}

func (p *Pages) renderNotice(c fiber.Ctx, status int, n survey.PrivacyNotice, form web.Values, problems field.Errors, saved bool) error {
	page := noticePage{Page: p.staff.Page(c, "Privacy notice"), Form: form, Problems: problems,
		Facts: unsetFacts(n), Saved: saved, Month: n.Month, By: n.By}
	page.Invalid = problems != nil
	if n.Month != "" {
		page.Month = monthName(n.Month)
	}
	for _, d := range p.surveys.All() {
		page.Surveys = append(page.Surveys, serviceRow{Service: d.Service, Title: d.Title})
	}
	return p.site.Render(c, status, p.templates, "notice", page)
}

// basisChoices are the lawful bases an admin can choose, and leaving it unset.
func basisChoices() []web.Choice {
	return []web.Choice{
		{Value: string(survey.PublicTask), Label: "Public task: Article 6(1)(e), a task carried out in the public interest (most NHS and public bodies)"},
		{Value: string(survey.LegitimateInterests), Label: "Legitimate interests: Article 6(1)(f) (most charities and private providers)"},
		{Value: "", Label: "Not chosen yet: the notice asks people to contact the office"},
	}
}

// addressLines counts the lines of an address as typed, for the textarea's height.
func addressLines(s string) int { return max(4, strings.Count(s, "\n")+2) }
