package survey

import (
	"regexp"
	"strings"
	"unicode"

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
		end, digits := numberRun(text, i)
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
		case isBidiControl(r):
			return -1
		case unicode.IsDigit(r):
			return '0' + digitValue(r)
		}
		return r
	}, text)
}

// isBidiControl reports the embedding, override and isolate controls
// (U+202A–U+202E, U+2066–U+2069) and the directional marks.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// digitValue is the value of a decimal digit of any script: Unicode keeps
// each script's digits as a run of ten from its zero, runs side by side.
func digitValue(r rune) rune {
	start := r
	for start > 0 && unicode.IsDigit(start-1) && r-start < 60 {
		start--
	}
	return (r - start) % 10
}

// separators are what people type inside a number: spaces, dashes, dots,
// brackets, slashes and commas.
const separators = " -.()/,"

// numberRun measures a run of digits starting at i, allowing the separators
// people type inside phone numbers (up to four in a row), and an optional
// leading "+". It returns the end of the run (i when there is none) and how
// many digits it holds.
func numberRun(s string, i int) (end, digits int) {
	start := i
	if i < len(s) && s[i] == '+' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) || (start > 0 && isDigit(s[start-1])) {
		return start, 0
	}
	end = i
	for i < len(s) {
		switch {
		case isDigit(s[i]):
			digits++
			i++
			end = i
		case strings.IndexByte(separators, s[i]) >= 0:
			// a separator counts only when more digits follow it
			j := i
			for j < len(s) && strings.IndexByte(separators, s[j]) >= 0 && j-i < 4 {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				i = j
				continue
			}
			return end, digits
		default:
			return end, digits
		}
	}
	return end, digits
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
