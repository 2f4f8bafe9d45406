package commentcheck

import (
	"slices"
	"strings"
)

// The lists become one lexicon: a lower-case key's entry says everything the
// rules ask of that word (an ordinary word? a given name? a title? the first
// word of which places and risk phrases?), so a comment costs one map look-up
// a word, and one more for a possessive ("Priya's"), rather than one for each
// question each rule asks of it.

// wordFlag is one thing a list says of a word.
type wordFlag uint16

const (
	ordinaryWord     wordFlag = 1 << iota // in a dictionary, in lower case
	knownWord                             // in a dictionary, proper nouns too
	givenName                             // given_names.txt
	surnameWord                           // surnames.txt
	practitionerName                      // a word of a practitioner's name (Options)
	notNameWord                           // not_names.txt
	titleWord                             // titles: "Dr"
	cueWord                               // cues: "colleague"
	roleBeforeWord                        // roleBefore: "Medical"
	roleWord                              // roles: "counsellor"
	functionWordF                         // functionWord: "and", "of"
	determinerWord                        // determiners: "my"
	cueBeforeWord                         // cueBefore: "in"
)

// nameWord is any list of people's names.
const nameWord = givenName | surnameWord | practitionerName

// word is a key's entry in the lexicon. It holds no pointer, so the
// lexicon's 100,000 entries are one block the garbage collector never scans:
// a submission's cost includes its share of every collection, and the
// server's heap is otherwise small.
type word struct {
	flags   wordFlag
	phrases uint32 // 1 + the index in Checker.phraseLists of the gazetteer phrases starting with it; 0: none
	risk    uint32 // 1 + the index in riskWords.firsts of the risk phrases starting with it; 0: none
}

// entry returns the index of key's entry, creating it; for building the lexicon only.
func (c *Checker) entry(key string) uint32 {
	i, ok := c.lex[key]
	if !ok {
		i = uint32(len(c.words))
		c.words = append(c.words, word{})
		c.lex[key] = i
	}
	return i
}

// mark sets flag f on each key.
func (c *Checker) mark(f wordFlag, keys ...string) {
	for _, k := range keys {
		c.words[c.entry(k)].flags |= f
	}
}

// freeze ends the building: the lexicon's keys are copied into one string,
// so that they are one object rather than 100,000.
func (c *Checker) freeze() {
	keys := make([]string, 0, len(c.lex))
	n := 0
	for k := range c.lex {
		keys = append(keys, k)
		n += len(k)
	}
	var b strings.Builder
	b.Grow(n)
	for _, k := range keys {
		b.WriteString(k)
	}
	arena := b.String()
	lex := make(map[string]uint32, len(keys))
	off := 0
	for _, k := range keys {
		lex[arena[off:off+len(k)]] = c.lex[k]
		off += len(k)
	}
	c.lex = lex
	c.words = slices.Clip(c.words)
}

// look returns key's entry; a word no list names has the zero entry.
func (c *Checker) look(key string) word {
	if i, ok := c.lex[key]; ok {
		return c.words[i]
	}
	return word{}
}

// phrasesOf are the gazetteer phrases that start with w.
func (c *Checker) phrasesOf(w word) []phrase {
	if w.phrases == 0 {
		return nil
	}
	return c.phraseLists[w.phrases-1]
}

// annotate looks each token up: its key, and its key without a possessive ending.
func (c *Checker) annotate(toks []token) {
	for i := range toks {
		t := &toks[i]
		t.w = c.look(t.key)
		if p := possessive(t.key); p != t.key {
			t.pw = c.look(p)
		} else {
			t.pw = t.w
		}
	}
}

// is reports whether the token's own key has any of flags f.
func (t *token) is(f wordFlag) bool { return t.w.flags&f != 0 }

// either reports whether the token's key, or its key without a possessive
// ending, has any of flags f.
func (t *token) either(f wordFlag) bool { return (t.w.flags|t.pw.flags)&f != 0 }

// keyIs reports whether key, or key without a possessive ending, has any of flags f.
func (c *Checker) keyIs(key string, f wordFlag) bool {
	return (c.look(key).flags|c.look(possessive(key)).flags)&f != 0
}

// markRules adds the rules' own small word lists to the lexicon.
func (c *Checker) markRules() {
	for _, l := range []struct {
		f    wordFlag
		keys map[string]bool
	}{
		{titleWord, titles}, {cueWord, cues}, {roleBeforeWord, roleBefore}, {roleWord, roles},
		{functionWordF, functionWord}, {determinerWord, determiners}, {cueBeforeWord, cueBefore},
	} {
		for k := range l.keys {
			c.mark(l.f, k)
		}
	}
}
