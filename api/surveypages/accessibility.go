package surveypages

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
)

// accessibilityPage is the accessibility statement, in the GOV.UK model
// form: how accessible the survey pages are, how that was tested, what is
// known not to work, how to tell us, and the enforcement procedure.
type accessibilityPage struct {
	page
	OfficePhone, OfficePhoneLink, OfficeEmail string
}

// Accessibility is GET /accessibility.
func (p *Pages) Accessibility(c fiber.Ctx) error {
	l := p.language(c)
	data := accessibilityPage{page: p.base(l, p.langs[l].T("a11y.title"), "/accessibility"),
		OfficePhone: p.contact.OfficePhone, OfficeEmail: p.contact.OfficeEmail}
	data.OfficePhoneLink = web.PhoneLink(p.contact.OfficePhone)
	return p.site.Render(c, fiber.StatusOK, p.templates, "accessibility", data)
}
