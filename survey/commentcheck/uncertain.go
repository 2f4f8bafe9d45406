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
	for i := range toks {
		t := &toks[i]
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
		unknown := !isKnown(t) && !isOrdinary(t) && !c.listed(lang, t)
		capital := capitalised(t.text)
		switch {
		case capital && !t.sentence && unknown:
			add(UnknownCapitalised)
		case capital && t.sentence && unknown:
			add(UnknownFirstWord)
		}
		thisCap := capital && !t.sentence && !t.is(notNameWord)
		if thisCap && prevCap {
			add(NameLikePhrase)
		}
		prevCap = thisCap
	}
	return out
}

// listed reports whether a word is in one of the gazetteers.
func (c *Checker) listed(lang string, t *token) bool {
	if t.w.phrases > 0 {
		return true
	}
	if lang == "cy" {
		for _, v := range unmutate(t.key) {
			if c.look(v).phrases > 0 {
				return true
			}
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
