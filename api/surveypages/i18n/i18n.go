// Package i18n holds every word the service users' pages show, one catalogue
// per language: en.json and cy.json, side by side so a translator can review
// one file. Staff pages stay in English. The language is chosen by the URL
// (?lang=cy), or on a first visit by the browser's Accept-Language; never by
// a cookie, since survey routes set none.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/survey"
)

//go:embed en.json cy.json
var files embed.FS

// Param is the query parameter that carries the language in every link and
// form of the service users' pages.
const Param = "lang"

// Lang is one language's catalogue.
type Lang struct {
	Code survey.Language
	msgs map[string]string
}

// Catalogues are the languages offered, by code.
type Catalogues map[survey.Language]*Lang

// Load reads the embedded catalogues.
func Load() (Catalogues, error) {
	out := Catalogues{}
	for _, code := range []survey.Language{survey.English, survey.Welsh} {
		raw, err := files.ReadFile(string(code) + ".json")
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", code, err)
		}
		l := &Lang{Code: code}
		if err := json.Unmarshal(raw, &l.msgs); err != nil {
			return nil, fmt.Errorf("catalogue %s.json: %w", code, err)
		}
		out[code] = l
	}
	return out, nil
}

// Keys lists a catalogue's keys, for the test that both languages have all.
func (l *Lang) Keys() []string {
	keys := make([]string, 0, len(l.msgs))
	for k := range l.msgs {
		keys = append(keys, k)
	}
	return keys
}

// Has reports whether the catalogue has key.
func (l *Lang) Has(key string) bool { _, ok := l.msgs[key]; return ok }

// T returns the text of key, with args in place of its %s verbs. A missing
// key shows as itself (the catalogue test makes sure none is missing).
func (l *Lang) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// HTML is the value of the html element's lang attribute.
func (l *Lang) HTML() string { return l.T("lang.html") }

// Number writes a count the way the language does: 1,000 in both.
func Number(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Other is the language a page's language link offers.
func Other(l survey.Language) survey.Language {
	if l == survey.Welsh {
		return survey.English
	}
	return survey.Welsh
}

// Choose picks the language of a request: the URL's ?lang= when it names one
// offered, else Welsh when Accept-Language prefers Welsh to English, else
// English.
func Choose(query, acceptLanguage string) survey.Language {
	switch survey.Language(query) {
	case survey.Welsh, survey.English:
		return survey.Language(query)
	}
	cy, en := web.Weight(acceptLanguage, "cy"), web.Weight(acceptLanguage, "en")
	if cy > 0 && cy > en {
		return survey.Welsh
	}
	return survey.English
}
