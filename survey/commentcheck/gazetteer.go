package commentcheck

import "strings"

// gazetteer finds the places, workplaces, specialties and grades the lists
// name, longest first: "the Royal Free" before "Royal".
func (c *Checker) gazetteer(lang, text string, toks []token, spans []found) []found {
	for i := 0; i < len(toks); i++ {
		if covered(spans, toks[i].start, toks[i].end) {
			continue
		}
		last, cat := -1, Category("")
		try := func(ps []phrase) {
			for _, p := range ps {
				n := len(p.keys)
				if i+n-1 <= last || !c.follows(text, toks, i, p.keys) || !c.accept(lang, toks, i, p) {
					continue
				}
				last, cat = i+n-1, p.cat
			}
		}
		try(c.phrasesOf(toks[i].w))
		if lang == "cy" {
			for _, v := range unmutate(toks[i].key) {
				try(c.phrasesOf(c.look(v)))
			}
		}
		if last < 0 || covered(spans, toks[i].start, toks[last].end) {
			continue
		}
		spans = append(spans, found{toks[i].start, toks[last].end, cat})
		i = last
	}
	return spans
}

// follows reports whether the words after toks[i] are the rest of keys,
// separated by spaces only; the last may be possessive ("Derriford's").
func (c *Checker) follows(text string, toks []token, i int, keys []string) bool {
	if i+len(keys) > len(toks) {
		return false
	}
	for k := 1; k < len(keys); k++ {
		t := toks[i+k]
		if strings.TrimSpace(text[toks[i+k-1].end:t.start]) != "" {
			return false
		}
		if t.key != keys[k] && !(k == len(keys)-1 && possessive(t.key) == keys[k]) {
			return false
		}
	}
	return true
}

// accept decides whether a phrase found in the text is the detail or an
// ordinary word: "Reading" the town or the verb. Specialties and grades are
// always the detail; a place or workplace is when one of its words is no
// ordinary word ("Derriford", "glan clwyd"), or when it is capitalised where
// a sentence does not start ("moved to Reading", "at the Royal Free").
func (c *Checker) accept(lang string, toks []token, i int, p phrase) bool {
	first := &toks[i]
	if p.cue && (i == 0 || !toks[i-1].is(cueBeforeWord)) {
		return false
	}
	if p.own && i > 0 && toks[i-1].is(determinerWord) {
		return false
	}
	// an acronym of two letters, or one whose lower case is a word, counts in capitals only ("ED", not "ed")
	if p.caps && !allCaps(first.text) && (len(first.key) <= 2 || isOrdinary(first)) {
		return false
	}
	if p.cat == Specialty || p.cat == Grade {
		return true
	}
	capitals := 0
	for k := i; k < i+len(p.keys); k++ {
		t := &toks[k]
		if (!isOrdinary(t) && !t.is(functionWordF)) || strings.Contains(p.keys[k-i], "'") {
			return true // "Derriford", "King's": no ordinary word
		}
		if capitalised(t.text) && !t.is(functionWordF) {
			capitals++
		}
	}
	// words all ordinary and capitalised: not when a capitalised word follows,
	// which makes them part of a longer name ("the Royal College of Surgeons")
	if end := i + len(p.keys); end < len(toks) && capitalised(toks[end].text) && !toks[end].sentence {
		return false
	}
	if first.sentence {
		return capitals >= 2
	}
	return capitals >= 1
}

// cueBefore are the words after which a phrase marked ~ is the detail ("in surgery").
var cueBefore = map[string]bool{"in": true, "into": true, "on": true, "yn": true, "mewn": true}

// determiners before a phrase marked ! make it someone's own ("my GP", "the GP surgery").
var determiners = map[string]bool{"my": true, "your": true, "our": true, "his": true, "her": true,
	"their": true, "the": true, "fy": true, "ein": true, "eich": true, "eu": true}

// functionWord are the small words inside names of places ("Cardiff and Vale").
var functionWord = map[string]bool{"the": true, "and": true, "of": true, "on": true, "upon": true,
	"in": true, "y": true, "yr": true, "a'r": true, "ar": true, "a": true, "st": true, "saint": true}

// mutations are the Welsh initial mutations, undone: the mutated start and
// the radical starts it may have come from.
var mutations = []struct {
	from string
	to   []string
}{
	{"ngh", []string{"c"}}, {"mh", []string{"p"}}, {"nh", []string{"t"}}, {"ng", []string{"g"}},
	{"ch", []string{"c"}}, {"ph", []string{"p"}}, {"th", []string{"t"}}, {"dd", []string{"d"}},
	{"m", []string{"b"}}, {"n", []string{"d"}}, {"g", []string{"c"}}, {"b", []string{"p"}},
	{"d", []string{"t"}}, {"f", []string{"b", "m"}}, {"l", []string{"ll"}}, {"r", []string{"rh"}},
}

// unmutate gives the forms a Welsh word may have had before a mutation:
// "nhreforys" → "treforys", "fwrdd" → "bwrdd", "mangor" → "bangor".
func unmutate(key string) []string {
	var out []string
	for _, m := range mutations {
		if rest, ok := strings.CutPrefix(key, m.from); ok {
			for _, to := range m.to {
				out = append(out, to+rest)
			}
			break // the longest mutated start only: "ngh" is not also "ng"
		}
	}
	if key != "" && strings.ContainsRune("aeiouwyâêîôûŵŷ", []rune(key)[0]) {
		out = append(out, "g"+key) // soft mutation drops a g: "Wynedd" ← "Gwynedd"
	}
	if rest, ok := strings.CutPrefix(key, "h"); ok && rest != "" && strings.ContainsRune("aeiouwy", []rune(rest)[0]) {
		out = append(out, rest) // "ei henw" ← "enw"
	}
	return out
}
