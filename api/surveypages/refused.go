package surveypages

import (
	"strings"

	"github.com/gofiber/fiber/v3"
)

// refusedWords are the catalogue keys of the refusals that come before any
// handler, by status: their heading and what to do.
var refusedWords = map[int]string{
	fiber.StatusTooManyRequests:       "toomany",
	fiber.StatusRequestEntityTooLarge: "toolarge",
}

// refused is the page of a survey route refused before its handler ran (too
// many requests, a body too large), in the request's language; package web
// hands these over (see web.Site.SetSurveyErrors).
func (p *Pages) refused(c fiber.Ctx, code int) error {
	key, ok := refusedWords[code]
	if !ok {
		return fiber.NewError(code)
	}
	l := p.language(c)
	lang := p.langs[l]
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p.site.Render(c, code, p.templates, "refused", struct {
		page
		Heading, Message string
	}{p.base(l, lang.T(key+".title"), strings.Clone(c.Path())), lang.T(key + ".title"), lang.T(key + ".body")})
}
