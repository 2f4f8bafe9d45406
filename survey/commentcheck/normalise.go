package commentcheck

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalise is text in NFKC form with every decimal digit written 0–9, curly
// apostrophes written ', and no bidirectional control characters: the same
// rule as survey.Normalise, plus apostrophes, so "O’Neill" and "O'Neill" are
// one name. The normalised text is what is kept.
func Normalise(text string) string {
	// Invalid bytes first, or NFKC may leave the character after one unnormalised.
	text = norm.NFKC.String(strings.ToValidUTF8(text, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x80:
			return r
		case r == '\u2019' || r == '\u2018' || r == '\u02BC':
			return '\''
		case IsBidiControl(r):
			return -1
		case unicode.IsDigit(r):
			return '0' + DigitValue(r)
		}
		return r
	}, text)
}

// IsBidiControl reports the embedding, override and isolate controls
// (U+202A–U+202E, U+2066–U+2069) and the directional marks.
func IsBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// DigitValue is the value of a decimal digit of any script: Unicode keeps
// each script's digits as a run of ten from its zero.
func DigitValue(r rune) rune {
	start := r
	for start > 0 && unicode.IsDigit(start-1) && r-start < 60 {
		start--
	}
	return (r - start) % 10
}
