package survey

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/feedback-service/feedback/survey/commentcheck"
	"golang.org/x/text/unicode/norm"
)

// Markers put in place of what Redact removes.
const (
	EmailMarker  = "[email removed]"
	PhoneMarker  = "[phone number removed]"
	NumberMarker = "[number removed]"
)

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+ ?@ ?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// spelledEmailRe is an address written to dodge a filter, the way people
	// write one: jane(at)nhs.net, jane [at] nhs [dot] net.
	spelledEmailRe = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+\s*[(\[{<]\s*at\s*[)\]}>]\s*[a-z0-9\-]+(?:\s*(?:\.|[(\[{<]\s*dot\s*[)\]}>])\s*[a-z0-9\-]+)+`)
)

// Redact removes from free text what could identify its writer: e-mail
// addresses, phone numbers (10 or more digits, however spaced) and other long
// numbers such as a 7-digit GMC reference number (7 to 9 digits). It matches
// on text as a person may type it: the text is first normalised (NFKC: full-
// width digits and ＠ become 0–9 and @), digits of every script read as 0–9,
// and bidirectional controls removed, so no comment can reorder another's
// display. The normalised text is what is kept.
func Redact(text string) string {
	text = Normalise(text)
	text = emailRe.ReplaceAllString(text, EmailMarker)
	text = spelledEmailRe.ReplaceAllString(text, EmailMarker)
	if !strings.ContainsAny(text, "0123456789") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		end, digits := commentcheck.NumberRun(text, i)
		switch {
		case digits >= 10:
			b.WriteString(PhoneMarker)
			i = end
		case digits >= 7:
			b.WriteString(NumberMarker)
			i = end
		case end > i:
			b.WriteString(text[i:end])
			i = end
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String()
}

// Normalise is text in NFKC form with every decimal digit written 0–9 and no
// bidirectional control characters.
func Normalise(text string) string {
	// Invalid bytes first, or NFKC may leave the character after one unnormalised
	// and a second pass change it (found by FuzzRedact: "\xf4˙").
	text = norm.NFKC.String(strings.ToValidUTF8(text, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x80:
			return r
		case commentcheck.IsBidiControl(r):
			return -1
		case unicode.IsDigit(r):
			return '0' + commentcheck.DigitValue(r)
		}
		return r
	}, text)
}
