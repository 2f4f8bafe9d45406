package commentcheck

// uncertain lists what in the generalised comment may still identify its
// writer, for a moderator to read before a quality lead does.
func (c *Checker) uncertain(lang, text string, toks []token, spans []found) []Reason {
	seen := map[Reason]bool{}
	var out []Reason
	add := func(r Reason) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	prevCap := false
	for _, t := range toks {
		if covered(spans, t.start, t.end) {
			prevCap = false
			continue
		}
		if isDigit(t.text[0]) {
			if digits := countDigits(t.text); digits >= 5 {
				add(ShortNumber)
			}
			prevCap = false
			continue
		}
		unknown := !c.isKnown(t.key) && !c.isOrdinary(t.key) && !c.listed(lang, t.key)
		capital := capitalised(t.text)
		switch {
		case capital && !t.sentence && unknown:
			add(UnknownCapitalised)
		case capital && t.sentence && unknown:
			add(UnknownFirstWord)
		}
		thisCap := capital && !t.sentence && !c.notName[t.key]
		if thisCap && prevCap {
			add(NameLikePhrase)
		}
		prevCap = thisCap
	}
	return out
}

// listed reports whether a word is in one of the gazetteers.
func (c *Checker) listed(lang, key string) bool {
	for _, v := range c.variants(lang, key) {
		if len(c.phrases[v]) > 0 {
			return true
		}
	}
	return false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}
