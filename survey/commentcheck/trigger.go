package commentcheck

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// A regular expression pass over a comment costs about 100 µs per 1,000
// characters, and a comment meets some 110 of them (shapes and risk). A
// trigger index runs each one only where a match can start: at a word's
// start whose first letters are one of the expression's literal prefixes,
// anchored there. The results are those of a full pass (FindAll's leftmost,
// non-overlapping matches), for a few hundred nanoseconds a comment.

// triggered is one expression, ready to run anchored at a word's start.
type triggered struct {
	re       *regexp.Regexp // as written, for a full pass when anywhere
	anchored *regexp.Regexp // ^(?:re)
	anywhere bool           // a match may start with anything: run re over the text
	span     int            // bytes a match and the rune after it can span; 0: unbounded
	unless   *regexp.Regexp // when it matches right after a match, that match does not count
}

// hook ties a prefix to the expression it starts.
type hook struct {
	prefix string // lower case ASCII, 1 to maxPrefix bytes
	id     int32
}

// maxPrefix bounds the prefixes drawn from an expression; maxPrefixes bounds
// how many, shortening them until they fit.
const (
	maxPrefix   = 8
	maxPrefixes = 400
)

// triggerIndex finds, for a word's start, the expressions that may match there.
type triggerIndex struct {
	exprs []triggered
	one   [64][]hook        // prefixes of one byte, by that byte's code
	two   [64 * 256][]hook  // prefixes of two bytes, by both (the second folded)
	three map[uint32][]hook // longer prefixes, by their first three bytes, folded
}

// wordCode numbers the ASCII word bytes 0–63; other bytes are -1.
func wordCode(b byte) int {
	switch {
	case b >= 'a' && b <= 'z':
		return int(b - 'a')
	case b >= 'A' && b <= 'Z':
		return int(b - 'A')
	case b >= '0' && b <= '9':
		return 26 + int(b-'0')
	case b == '_':
		return 36
	}
	return -1
}

func isASCIIWord(b byte) bool { return wordCode(b) >= 0 }

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// add indexes an expression under the prefixes its matches start with; its
// id is its position in the order of adding.
func (x *triggerIndex) add(re *regexp.Regexp) error {
	return x.addUnless(re, nil)
}

// addUnless indexes an expression whose matches do not count when unless
// matches the text right after them.
func (x *triggerIndex) addUnless(re, unless *regexp.Regexp) error {
	anchored, err := regexp.Compile(`^(?:` + re.String() + `)`)
	if err != nil {
		return err
	}
	id := int32(len(x.exprs))
	t := triggered{re: re, anchored: anchored, unless: unless}
	if n, ok := maxBytes(re.String()); ok {
		t.span = n + utf8.UTFMax
	}
	prefixes, ok := startPrefixes(re.String())
	if !ok {
		t.anywhere = true
	}
	x.exprs = append(x.exprs, t)
	for _, p := range prefixes {
		h := hook{prefix: p, id: id}
		if len(p) == 1 {
			x.one[wordCode(p[0])] = append(x.one[wordCode(p[0])], h)
			continue
		}
		if len(p) == 2 {
			k := wordCode(p[0])*256 + int(p[1])
			x.two[k] = append(x.two[k], h)
			continue
		}
		if x.three == nil {
			x.three = map[uint32][]hook{}
		}
		k := key3(p[0], p[1], p[2])
		x.three[k] = append(x.three[k], h)
	}
	return nil
}

// hit is an expression that may match at a position.
type hit struct {
	id  int32
	pos int32
}

// candidates appends the (expression, word start) pairs of text whose
// prefixes match, folding ASCII case, in order of expression, then position.
func (x *triggerIndex) candidates(text string, hits []hit) []hit {
	for p := 0; p < len(text); p++ {
		c0 := wordCode(text[p])
		if c0 < 0 || (p > 0 && isASCIIWord(text[p-1])) {
			continue
		}
		for _, h := range x.one[c0] {
			hits = append(hits, hit{h.id, int32(p)})
		}
		if p+1 >= len(text) {
			continue
		}
		b1 := lowerASCII(text[p+1])
		for _, h := range x.two[c0*256+int(b1)] {
			hits = append(hits, hit{h.id, int32(p)})
		}
		if p+2 >= len(text) || len(x.three) == 0 {
			continue
		}
		for _, h := range x.three[key3(text[p], b1, text[p+2])] {
			if hasFoldPrefix(text[p:], h.prefix) {
				hits = append(hits, hit{h.id, int32(p)})
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.id != b.id {
			return int(a.id - b.id)
		}
		return int(a.pos - b.pos)
	})
	return hits
}

func key3(a, b, c byte) uint32 {
	return uint32(lowerASCII(a))<<16 | uint32(lowerASCII(b))<<8 | uint32(lowerASCII(c))
}

// hasFoldPrefix reports whether s starts with the lower-case ASCII prefix, in any case.
func hasFoldPrefix(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// startPrefixes are strings one of which starts every match of expr, lower
// case; ok is false when a match may start with anything, or not at a word's
// start (expr must open with \b and a word character).
func startPrefixes(expr string) ([]string, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	if !opensWithWordBoundary(re) {
		return nil, false
	}
	for limit := maxPrefix; limit >= 1; limit-- {
		ps := extend(re, []partial{{}}, limit)
		if len(ps) > maxPrefixes*4 {
			continue
		}
		set := map[string]bool{}
		for _, p := range ps {
			s := p.s
			if len(s) > limit {
				s = s[:limit]
			}
			if s == "" || !isASCIIWord(s[0]) {
				return nil, false
			}
			set[s] = true
		}
		if len(set) <= maxPrefixes {
			out := make([]string, 0, len(set))
			for s := range set {
				out = append(out, s)
			}
			slices.Sort(out)
			return out, true
		}
	}
	return nil, false
}

// opensWithWordBoundary reports whether every match of re starts at \b.
func opensWithWordBoundary(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpWordBoundary:
		return true
	case syntax.OpCapture:
		return opensWithWordBoundary(re.Sub[0])
	case syntax.OpConcat:
		return len(re.Sub) > 0 && opensWithWordBoundary(re.Sub[0])
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !opensWithWordBoundary(s) {
				return false
			}
		}
		return true
	}
	return false
}

// partial is a prefix being drawn; done when what follows is unknown.
type partial struct {
	s    string
	done bool
}

// extend appends to each open prefix what re may match next.
func extend(re *syntax.Regexp, in []partial, limit int) []partial {
	if len(in) > maxPrefixes*4 {
		return in
	}
	closeAll := func(ps []partial) []partial {
		for i := range ps {
			ps[i].done = true
		}
		return ps
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return in // zero width: ignoring it only widens the prefixes
	case syntax.OpLiteral:
		out := slices.Clone(in)
		for _, r := range re.Rune {
			out = appendRunes(out, []rune{r}, re.Flags&syntax.FoldCase != 0, limit)
		}
		return out
	case syntax.OpCharClass:
		var runes []rune
		for i := 0; i < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				runes = append(runes, r)
				if len(runes) > 12 {
					return closeAll(slices.Clone(in))
				}
			}
		}
		return appendRunes(slices.Clone(in), runes, re.Flags&syntax.FoldCase != 0, limit)
	case syntax.OpCapture:
		return extend(re.Sub[0], in, limit)
	case syntax.OpConcat:
		out := in
		for _, s := range re.Sub {
			out = extend(s, out, limit)
		}
		return out
	case syntax.OpAlternate:
		var out []partial
		for _, s := range re.Sub {
			out = append(out, extend(s, slices.Clone(in), limit)...)
		}
		return out
	case syntax.OpQuest:
		return append(slices.Clone(in), extend(re.Sub[0], slices.Clone(in), limit)...)
	case syntax.OpStar:
		return append(slices.Clone(in), closeAll(extend(re.Sub[0], slices.Clone(in), limit))...)
	case syntax.OpPlus:
		return closeAll(extend(re.Sub[0], slices.Clone(in), limit))
	case syntax.OpRepeat:
		once := extend(re.Sub[0], slices.Clone(in), limit)
		if re.Max != 1 {
			once = closeAll(once)
		}
		if re.Min == 0 {
			return append(slices.Clone(in), once...)
		}
		return once
	}
	return closeAll(slices.Clone(in)) // any character, or something unforeseen
}

// appendRunes branches each open prefix on the runes; a rune outside ASCII
// closes it, since the index compares ASCII bytes only.
func appendRunes(in []partial, runes []rune, fold bool, limit int) []partial {
	var out []partial
	for _, p := range in {
		if p.done || len(p.s) >= limit {
			p.done = true
			out = append(out, p)
			continue
		}
		seen := map[rune]bool{}
		for _, r := range runes {
			if r >= utf8.RuneSelf {
				out = append(out, partial{p.s, true})
				continue
			}
			r = rune(lowerASCII(byte(r)))
			if seen[r] {
				continue
			}
			seen[r] = true
			out = append(out, partial{p.s + string(r), false})
		}
	}
	_ = fold // prefixes are compared folded, so case is dropped either way
	return dedupe(out)
}

func dedupe(ps []partial) []partial {
	seen := map[partial]bool{}
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// findAll calls found for each match of expression id in text, as
// re.FindAllStringSubmatchIndex would report them; hits are the candidates
// for id, in order of position.
func (x *triggerIndex) findAll(text string, id int32, hits []hit, found func(m []int)) {
	t := x.exprs[id]
	if t.anywhere {
		for _, m := range t.re.FindAllStringSubmatchIndex(text, -1) {
			found(m)
		}
		return
	}
	next := 0
	for _, h := range hits {
		p := int(h.pos)
		if p < next {
			continue
		}
		m := t.anchored.FindStringSubmatchIndex(t.window(text, p))
		if m == nil {
			continue
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += p
			}
		}
		found(m)
		next = m[1]
		if m[1] == m[0] {
			next++
		}
	}
}

// matchAny reports whether any expression matches text, which is lower case.
func (x *triggerIndex) matchAny(text string, hits []hit) bool {
	for _, h := range hits {
		t := x.exprs[h.id]
		if t.unless == nil {
			if t.anchored.MatchString(t.window(text, int(h.pos))) {
				return true
			}
			continue
		}
		if m := t.anchored.FindStringIndex(t.window(text, int(h.pos))); m != nil && !t.unless.MatchString(text[int(h.pos)+m[1]:]) {
			return true
		}
	}
	for _, t := range x.exprs {
		if t.anywhere && t.re.MatchString(text) {
			return true
		}
	}
	return false
}

// window is text from p as far as a match starting there can reach: the
// expression sees exactly what it would in the whole text, and the matcher
// clears state for the window only, not for the rest of the comment.
func (t triggered) window(text string, p int) string {
	if t.span > 0 && p+t.span < len(text) {
		return text[p : p+t.span]
	}
	return text[p:]
}

// maxBytes is the longest match of expr in bytes; ok is false when unbounded.
func maxBytes(expr string) (int, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return 0, false
	}
	return longest(re.Simplify())
}

func longest(re *syntax.Regexp) (int, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, true
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			w := utf8.RuneLen(r)
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					w = max(w, utf8.RuneLen(f))
				}
			}
			n += w
		}
		return n, true
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0, true
		}
		return max(1, utf8.RuneLen(re.Rune[len(re.Rune)-1])), true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax, true
	case syntax.OpCapture, syntax.OpQuest:
		return longest(re.Sub[0])
	case syntax.OpConcat:
		total := 0
		for _, s := range re.Sub {
			n, ok := longest(s)
			if !ok {
				return 0, false
			}
			total += n
		}
		return total, true
	case syntax.OpAlternate:
		most := 0
		for _, s := range re.Sub {
			n, ok := longest(s)
			if !ok {
				return 0, false
			}
			most = max(most, n)
		}
		return most, true
	case syntax.OpRepeat:
		if re.Max < 0 {
			return 0, false
		}
		n, ok := longest(re.Sub[0])
		return n * re.Max, ok
	}
	return 0, false // star, plus
}

// containsFold reports whether s contains sub, sub in lower case ASCII.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasFoldPrefix(s[i:], sub) {
			return true
		}
	}
	return false
}
