package surveypages

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/survey"
)

// privacyPage says what is stored with an answer, what never is, and for how
// long: the facts of the README's "How anonymity is kept".
type privacyPage struct {
	page
	Stored, Never, Kept []string
}

// What is never stored, and how long answers are kept, by catalogue key.
var (
	privacyNever = []string{"privacy.never_identity", "privacy.never_time", "privacy.never_device", "privacy.never_link", "privacy.never_cookies"}
	privacyKept  = []string{"privacy.long_sealed", "privacy.long_results", "privacy.long_small"}
)

// privacyFieldKey is the catalogue key explaining one stored field: the page
// lists survey.ResponseFields, the allow-list a test pins, so a field added
// to a response cannot be left off the page (the catalogue test checks).
func privacyFieldKey(field string) string { return "privacy.field." + field }

// Privacy is GET /s/{service}/privacy: the full explanation behind the
// survey's one-line anonymity statement.
func (p *Pages) Privacy(c fiber.Ctx) error {
	d, ok := Definition(p.surveys, c)
	if !ok {
		return p.notFound(c)
	}
	l := p.language(c)
	lang := p.langs[l]
	data := privacyPage{page: p.base(l, lang.T("privacy.title"), "/s/"+d.Service+"/privacy")}
	for _, f := range survey.ResponseFields {
		data.Stored = append(data.Stored, lang.T(privacyFieldKey(f)))
	}
	for _, k := range privacyNever {
		data.Never = append(data.Never, lang.T(k))
	}
	for _, k := range privacyKept {
		data.Kept = append(data.Kept, lang.T(k))
	}
	return p.site.Render(c, fiber.StatusOK, p.templates, "privacy", data)
}
