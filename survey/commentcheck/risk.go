package commentcheck

import (
	"fmt"
	"strings"
)

// riskWords are the general rules of risk (data/risk_words.txt): classes of
// words, and rules naming the classes that together, in one sentence or one
// comment, make a comment risk. "I" + "want" + "die" is risk; "die" alone is
// not, and "dying for a coffee" is an idiom taken out first.
type riskWords struct {
	names    []string          // class names, by class number
	byFirst  map[string][]cued // phrases by their first word, while loading
	firsts   [][]cued          // phrases by their first word, after (word.risk)
	prefixed []cued            // phrases whose first word ends in *
	rules    []riskRule
	idiom    int // the class whose phrases are taken out first, or -1
}

// cued is one phrase of a class.
type cued struct {
	words []string // lower case; a word ending in * matches any it starts
	class int
}

// riskRule is risk when each class has as many phrases as it is named.
type riskRule struct {
	need    []uint8 // by class
	comment bool    // anywhere in the comment, not in one sentence
}

// maxClasses bounds the classes, so a sentence's counts fit an array.
const maxClasses = 48

func (w *riskWords) class(name string) (int, error) {
	for i, n := range w.names {
		if n == name {
			return i, nil
		}
	}
	if len(w.names) == maxClasses {
		return 0, fmt.Errorf("commentcheck: risk_words.txt: more than %d classes", maxClasses)
	}
	w.names = append(w.names, name)
	return len(w.names) - 1, nil
}

func (w *riskWords) load(lines []string) error {
	w.byFirst, w.idiom = map[string][]cued{}, -1
	for n, l := range lines {
		head, body, ok := strings.Cut(l, ":")
		if !ok {
			return fmt.Errorf("commentcheck: risk_words.txt entry %d: write class NAME: … or rule: NAME + …", n+1)
		}
		switch fields := strings.Fields(head); {
		case len(fields) == 2 && fields[0] == "class":
			c, err := w.class(fields[1])
			if err != nil {
				return err
			}
			if fields[1] == "idiom" {
				w.idiom = c
			}
			for _, p := range strings.Split(body, "|") {
				words := strings.Fields(strings.ToLower(p))
				if len(words) == 0 {
					continue
				}
				if strings.HasSuffix(words[0], "*") {
					w.prefixed = append(w.prefixed, cued{words, c})
					continue
				}
				w.byFirst[words[0]] = append(w.byFirst[words[0]], cued{words, c})
			}
		case head == "rule" || head == "comment rule":
			r := riskRule{need: make([]uint8, maxClasses), comment: head == "comment rule"}
			for _, name := range strings.Split(body, "+") {
				c, err := w.class(strings.TrimSpace(name))
				if err != nil {
					return err
				}
				r.need[c]++
			}
			w.rules = append(w.rules, r)
		default:
			return fmt.Errorf("commentcheck: risk_words.txt entry %d: write class NAME: … or rule: NAME + …", n+1)
		}
	}
	for _, r := range w.rules {
		for c, k := range r.need {
			if k > 0 && !w.defined(c) {
				return fmt.Errorf("commentcheck: risk_words.txt: a rule names %q, which has no words", w.names[c])
			}
		}
	}
	return nil
}

func (w *riskWords) defined(c int) bool {
	for _, ps := range w.byFirst {
		for _, p := range ps {
			if p.class == c {
				return true
			}
		}
	}
	for _, p := range w.prefixed {
		if p.class == c {
			return true
		}
	}
	return false
}

// matches reports whether phrase p starts at toks[i] and stays in one sentence; it returns its length.
func (p cued) matches(toks []token, i int) (int, bool) {
	if i+len(p.words) > len(toks) {
		return 0, false
	}
	for k, w := range p.words {
		t := toks[i+k]
		if k > 0 && t.sentence {
			return 0, false
		}
		if stem, ok := strings.CutSuffix(w, "*"); ok {
			if !strings.HasPrefix(t.key, stem) {
				return 0, false
			}
		} else if t.key != w {
			return 0, false
		}
	}
	return len(p.words), true
}

// risky reports whether any rule holds in toks.
func (w *riskWords) risky(toks []token) bool {
	if len(w.rules) == 0 {
		return false
	}
	var sentence, comment [maxClasses]uint8
	var lastEnd [maxClasses]int // a class's phrases may not overlap: "wrote letters to" is one
	skipTo := 0                 // tokens before it are inside an idiom
	counted := false            // the sentence has a phrase of some class (most have none)
	for i := range toks {
		if toks[i].sentence && i > 0 && counted {
			if w.holds(&sentence, false) {
				return true
			}
			sentence, counted = [maxClasses]uint8{}, false
		}
		if i < skipTo {
			continue
		}
		var best [maxClasses]int8
		if !w.longest(toks, i, &best) {
			continue
		}
		if w.idiom >= 0 && best[w.idiom] > 0 {
			skipTo = i + int(best[w.idiom])
			continue
		}
		for c, n := range best {
			if n == 0 || i < lastEnd[c] || !w.clear(toks, i, int(n)) {
				continue
			}
			lastEnd[c] = i + int(n)
			sentence[c]++
			comment[c]++
			counted = true
		}
	}
	return (counted && w.holds(&sentence, false)) || w.holds(&comment, true)
}

// longest sets best[c] to the length of the longest phrase of class c at
// toks[i]; it reports whether any phrase starts there.
func (w *riskWords) longest(toks []token, i int, best *[maxClasses]int8) bool {
	any := false
	for _, p := range w.startingWith(&toks[i]) {
		if n, ok := p.matches(toks, i); ok && int8(n) > best[p.class] {
			best[p.class], any = int8(n), true
		}
	}
	for _, p := range w.prefixed {
		if n, ok := p.matches(toks, i); ok && int8(n) > best[p.class] {
			best[p.class], any = int8(n), true
		}
	}
	return any
}

// startingWith are the phrases whose first word is t's.
func (w *riskWords) startingWith(t *token) []cued {
	if t.w.risk == 0 {
		return nil
	}
	return w.firsts[t.w.risk-1]
}

// clear reports whether no idiom starts inside toks[i:i+n] ("wish … dying for").
func (w *riskWords) clear(toks []token, i, n int) bool {
	if w.idiom < 0 {
		return true
	}
	for k := i + 1; k < i+n; k++ {
		for _, p := range w.startingWith(&toks[k]) {
			if _, ok := p.matches(toks, k); ok && p.class == w.idiom {
				return false
			}
		}
	}
	return true
}

func (w *riskWords) holds(counts *[maxClasses]uint8, comment bool) bool {
next:
	for _, r := range w.rules {
		if r.comment != comment {
			continue
		}
		for c, k := range r.need {
			if counts[c] < k {
				continue next
			}
		}
		return true
	}
	return false
}
