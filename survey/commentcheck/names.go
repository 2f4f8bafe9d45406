package commentcheck

import "strings"

// titles come before a name: whatever word follows one is a name ("Dr Chen").
var titles = map[string]bool{"dr": true, "doctor": true, "mr": true, "mrs": true, "ms": true,
	"miss": true, "mx": true, "prof": true, "professor": true, "sister": true, "sr": true,
	"sir": true, "dame": true, "rev": true, "revd": true, "nurse": true, "athro": true}

// cues are words after which a capitalised word is a person's name:
// "my colleague Tomasz", "thank you Priya", "siaradais â Siân".
var cues = map[string]bool{"colleague": true, "colleagues": true, "friend": true, "supervisor": true,
	"consultant": true, "registrar": true, "husband": true, "wife": true, "partner": true,
	"son": true, "daughter": true, "brother": true, "mum": true, "dad": true, "mother": true,
	"father": true, "counsellor": true, "supporter": true, "named": true, "thanks": true,
	"thank": true, "to": true, "with": true, "â": true, "ag": true, "i": true, "for": true,
	"boss": true, "trainer": true, "mentor": true, "fiancé": true, "fiancée": true, "gŵr": true,
	"ngŵr": true, "ngwraig": true, "gwraig": true, "ffrind": true, "nghydweithiwr": true}

// roleBefore are words that make the capitalised word after them a role, not a name.
var roleBefore = map[string]bool{"associate": true, "postgraduate": true, "deputy": true,
	"medical": true, "clinical": true, "assistant": true, "head": true}

// roles follow a name set off by commas: "Grace, the counsellor, was fantastic".
var roles = map[string]bool{"counsellor": true, "peer": true, "supporter": true, "person": true,
	"lady": true, "man": true, "woman": true, "doctor": true, "consultant": true, "registrar": true,
	"nurse": true, "supervisor": true, "colleague": true, "friend": true, "husband": true, "wife": true}

// names finds people's names: after a title, after a cue, or from the lists
// of given names, surnames and the service's practitioners.
func (c *Checker) names(lang, text string, toks []token, spans []found) []found {
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if covered(spans, t.start, t.end) {
			continue
		}
		start := i
		switch {
		case t.is(titleWord) && i+1 < len(toks) && c.nameAfterTitle(text, toks, i):
			i++
		case c.isName(lang, text, toks, i):
		default:
			continue
		}
		for start > 0 && c.nameBefore(text, toks, start, spans) {
			start--
		}
		for i+1 < len(toks) && c.nameAfter(text, toks, i, spans) {
			i++
		}
		spans = append(spans, found{toks[start].start, toks[i].end, Name})
	}
	return spans
}

// nameAfterTitle reports whether the word after a title is a name: it must
// follow it closely ("Dr Chen", "Dr. O'Neill") and be capitalised or no
// ordinary word ("dr okafor"), and "the doctor said" is not one.
func (c *Checker) nameAfterTitle(text string, toks []token, i int) bool {
	next := &toks[i+1]
	gap := strings.TrimSpace(text[toks[i].end:next.start])
	if gap != "" && gap != "." {
		return false
	}
	if next.is(notNameWord) {
		return false
	}
	if capitalised(next.text) {
		return capitalised(toks[i].text) || next.either(nameWord)
	}
	return !isOrdinary(next) && next.either(nameWord)
}

// isName decides whether toks[i] is a name. "Will" and "Hope" are names where
// a sentence does not start ("I spoke to Will") and words at its start ("Will
// you…"); a name that is no ordinary word is a name anywhere ("Rhys was…").
func (c *Checker) isName(lang, text string, toks []token, i int) bool {
	t := &toks[i]
	if t.either(notNameWord) {
		return false
	}
	listed := t.either(nameWord)
	if lang == "cy" && !listed {
		for _, v := range unmutate(t.key) {
			listed = listed || c.keyIs(v, nameWord)
		}
	}
	ordinary := isOrdinary(t)
	switch {
	case i > 0 && toks[i-1].is(roleBeforeWord) && ordinary:
		return false // "the Associate Dean", "the Medical Director"
	case ordinary && i+1 < len(toks) && toks[i+1].is(notNameWord) && capitalised(toks[i+1].text):
		return false // "Long Covid"
	case allCaps(t.text) && len(t.text) <= 3:
		return false // initials and acronyms go to the moderator
	case !capitalised(t.text):
		// a name typed in lower case: only one that is no word of either language
		return listed && lang == "en" && len(t.key) >= 4 && !isKnown(t)
	case !t.sentence:
		return listed || (c.cued(toks, i) && !isKnown(t))
	case !ordinary:
		return listed || (c.cued(toks, i) && !isKnown(t))
	}
	// an ordinary word opening a sentence: a name only if a surname follows or a role is set off
	return listed && (i+1 < len(toks) && capitalised(toks[i+1].text) && toks[i+1].is(surnameWord) ||
		c.appositive(text, toks, i))
}

// cued reports whether a cue word comes right before toks[i].
func (c *Checker) cued(toks []token, i int) bool {
	return i > 0 && toks[i-1].is(cueWord)
}

// appositive reports "Grace, the counsellor": a comma, then a role.
func (c *Checker) appositive(text string, toks []token, i int) bool {
	if i+2 >= len(toks) || strings.TrimSpace(text[toks[i].end:toks[i+1].start]) != "," {
		return false
	}
	k := i + 1
	if toks[k].key == "the" || toks[k].key == "my" || toks[k].key == "our" {
		k++
	}
	return k < len(toks) && toks[k].is(roleWord)
}

// nameAfter reports whether the word after a name is more of it: a
// capitalised surname or a capitalised word no dictionary knows, right after.
func (c *Checker) nameAfter(text string, toks []token, i int, spans []found) bool {
	next := &toks[i+1]
	if text[toks[i].end:next.start] != " " || covered(spans, next.start, next.end) || !capitalised(next.text) || allCaps(next.text) {
		return false
	}
	return !next.is(notNameWord) && (next.either(nameWord) || !isKnown(next))
}

// nameBefore reports whether the word before a name is more of it: a
// capitalised given name or a capitalised word no dictionary knows.
func (c *Checker) nameBefore(text string, toks []token, i int, spans []found) bool {
	prev := &toks[i-1]
	if text[prev.end:toks[i].start] != " " || covered(spans, prev.start, prev.end) || !capitalised(prev.text) ||
		allCaps(prev.text) || prev.is(titleWord) {
		return false
	}
	if prev.is(notNameWord) {
		return false
	}
	return prev.is(givenName) || (!isKnown(prev) && !isOrdinary(prev))
}
