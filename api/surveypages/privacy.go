package surveypages

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/survey"
)

// privacyPage is the survey's privacy notice under the UK GDPR: who the
// controller is and how to reach its data protection officer, the lawful
// basis, what is stored with an answer and what never is, who sees the
// results, how long they are kept, the rights a person has and why they
// cannot be used on anonymous answers, and the route to the Information
// Commissioner. The facts only the organisation knows come from admins'
// settings (survey.PrivacyNotice); one not set yet is replaced by a neutral
// sentence that sends the reader to the office.
type privacyPage struct {
	page
	Notice                   survey.PrivacyNotice
	Basis, K, Updated        string // sentences, in the page's language
	Stored, Never, Kept      []string
	OfficePhone, OfficeEmail string
	OfficePhoneLink          string
}

// What is never stored, and how long answers are kept, by catalogue key.
var (
	privacyNever = []string{"privacy.never_identity", "privacy.never_time", "privacy.never_device", "privacy.never_link", "privacy.never_cookies"}
	privacyKept  = []string{"privacy.long_sealed", "privacy.long_results", "privacy.long_small"}
)

// privacyBasis is the catalogue key stating each lawful basis; "" (unset)
// sends the reader to the office.
var privacyBasis = map[survey.LawfulBasis]string{
	survey.PublicTask:          "privacy.basis_public_task",
	survey.LegitimateInterests: "privacy.basis_legitimate",
	"":                         "privacy.basis_unset",
}

// privacyFieldKey is the catalogue key explaining one stored field: the page
// lists survey.ResponseFields, the allow-list a test pins, so a field added
// to a response cannot be left off the page (the catalogue test checks).
func privacyFieldKey(field string) string { return "privacy.field." + field }

// Privacy is GET /s/{service}/privacy: the privacy notice, with the full
// explanation behind the survey's one-line anonymity statement.
func (p *Pages) Privacy(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.notFound(c)
	}
	l := p.language(c)
	lang := p.langs[l]
	data := privacyPage{page: p.base(l, lang.T("privacy.title"), "/s/"+d.Service+"/privacy"),
		OfficePhone: p.contact.OfficePhone, OfficeEmail: p.contact.OfficeEmail, OfficePhoneLink: web.PhoneLink(p.contact.OfficePhone)}
	data.Home = "/s/" + d.Service
	if p.settings != nil {
		// A store that cannot answer leaves the notice's facts unset: the
		// page still says everything else, and where to ask.
		if n, err := p.settings.PrivacyNotice(c.Context()); err == nil {
			data.Notice = n
		}
	}
	key, ok := privacyBasis[data.Notice.Basis]
	if !ok {
		key = privacyBasis[""]
	}
	data.Basis = lang.T(key)
	data.K = lang.T("privacy.who_sees", strconv.Itoa(max(p.k, 1)))
	if data.Notice.Month != "" {
		data.Updated = lang.T("privacy.updated", monthName(lang, data.Notice.Month))
	}
	for _, f := range survey.ResponseFields {
		data.Stored = append(data.Stored, lang.T(privacyFieldKey(f)))
	}
	for _, k := range privacyNever {
		data.Never = append(data.Never, lang.T(k))
	}
	for _, k := range privacyKept {
		data.Kept = append(data.Kept, lang.T(k))
	}
	// The period admins set takes the place of the neutral "as long as we use them".
	switch y := data.Notice.RetentionYears; {
	case y == 1:
		data.Kept[1] = lang.T("privacy.retention_one")
	case y > 1:
		data.Kept[1] = lang.T("privacy.retention_years", strconv.Itoa(y))
	}
	return p.site.Render(c, fiber.StatusOK, p.templates, "privacy", data)
}
