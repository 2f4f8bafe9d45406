package commentcheck

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// token is one word of a comment: letters and digits, with the apostrophes,
// ampersands and hyphens people put inside words ("O'Neill", "O&G",
// "Stoke-on-Trent").
type token struct {
	start, end int
	text       string
	key        string // lower case, for look-ups
	sentence   bool   // first word of a sentence
	w, pw      word   // the lexicon's entries for key and for key without a possessive ending (annotate)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokenise splits normalised text into words.
func tokenise(text string) []token {
	return appendTokens(make([]token, 0, len(text)/5+1), text)
}

// tokenBuffers keep Check's token slices from one comment to the next: a
// typical comment's 40 words are most of what it would allocate.
var tokenBuffers = sync.Pool{New: func() any { return new([]token) }}

// maxPooled bounds the token slices kept for reuse (a 4,000-character comment has about 800).
const maxPooled = 1024

// appendTokens appends text's words to toks.
func appendTokens(toks []token, text string) []token {
	start := -1
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && (r == '\'' || r == '&' || r == '-') && i+1 < len(text) {
			next, _ := utf8.DecodeRuneInString(text[i+1:])
			if isWordRune(next) {
				continue
			}
		}
		if start >= 0 {
			toks = append(toks, newToken(text, start, i))
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, newToken(text, start, len(text)))
	}
	return toks
}

func newToken(text string, start, end int) token {
	w := text[start:end]
	return token{start: start, end: end, text: w, key: strings.ToLower(w), sentence: sentenceStart(text, start)}
}

// sentenceStart reports whether the word at i opens a sentence: nothing but
// spaces, quotes and brackets stand between it and the text's start or a
// full stop, question mark, exclamation mark or line break.
func sentenceStart(text string, i int) bool {
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case r == '.' && abbreviation(text[:i-n]):
			return false
		case r == '.' || r == '!' || r == '?' || r == '\n' || r == '…':
			return true
		case unicode.IsSpace(r) || strings.ContainsRune("\"'([“‘-–—*•", r):
			i -= n
		default:
			return false
		}
	}
	return true
}

// capitalised reports whether a word starts with a capital letter.
func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// allCaps reports whether a word of two or more letters has only capitals.
func allCaps(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// possessive is a word without its possessive ending ("Priya's" → "priya").
func possessive(key string) string {
	if k, ok := strings.CutSuffix(key, "'s"); ok {
		return k
	}
	return strings.TrimSuffix(key, "'")
}

// abbreviations are words whose full stop ends no sentence ("Dr. O'Neill").
var abbreviations = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "prof": true,
	"st": true, "sr": true, "rev": true, "revd": true, "e.g": true, "i.e": true, "etc": true, "vs": true,
	"approx": true, "no": true, "mt": true, "ft": true}

// abbreviation reports whether text ends with an abbreviation.
func abbreviation(text string) bool {
	i := strings.LastIndexFunc(text, func(r rune) bool { return !isWordRune(r) && r != '.' })
	return abbreviations[strings.ToLower(text[i+1:])]
}
