package commentcheck

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// labelled is one comment of the corpus: what it says, the details that must
// not reach a quality lead and the words that must.
type labelled struct {
	line     int
	lang     string
	risk     bool
	comment  string
	details  []string
	ordinary []string
}

func readCorpus(t testing.TB, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 {
			t.Fatalf("%s:%d: write LANG|RISK|COMMENT", path, n)
		}
		l := labelled{line: n, lang: parts[0], risk: parts[1] == "risk"}
		var plain, outside strings.Builder
		rest := parts[2]
		for rest != "" {
			open := strings.IndexByte(rest, '{')
			if open < 0 {
				plain.WriteString(rest)
				outside.WriteString(rest)
				break
			}
			end := strings.IndexByte(rest[open:], '}')
			if end < 0 {
				t.Fatalf("%s:%d: unclosed {", path, n)
			}
			plain.WriteString(rest[:open])
			outside.WriteString(rest[:open] + " ")
			detail := rest[open+1 : open+end]
			plain.WriteString(detail)
			l.details = append(l.details, detail)
			rest = rest[open+end+1:]
		}
		l.comment = plain.String()
		for _, tok := range tokenise(Normalise(outside.String())) {
			l.ordinary = append(l.ordinary, tok.key)
		}
		out = append(out, l)
	}
	return out
}

// score is what the corpus measures.
type score struct {
	details, caught       int
	words, kept           int
	risks, flagged        int
	ordinaryComments, fps int
}

func (s *score) add(o score) {
	s.details += o.details
	s.caught += o.caught
	s.words += o.words
	s.kept += o.kept
	s.risks += o.risks
	s.flagged += o.flagged
	s.ordinaryComments += o.ordinaryComments
	s.fps += o.fps
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// markerRe matches the markers, whose words are no leak.
var markerRe = regexp.MustCompile(`\[[^\]]+\]`)

// skipped are words a detail may share with its marker's surroundings.
var skipped = map[string]bool{"the": true, "of": true, "and": true, "a": true, "an": true, "y": true,
	"yr": true, "ar": true, "dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "at": true, "in": true}

// measure checks one comment and scores it; misses are described in notes.
func measure(c *Checker, l labelled) (score, []string) {
	var s score
	var notes []string
	res := c.Check(l.lang, l.comment)
	out := map[string]int{}
	var outKeys []string
	for _, tok := range tokenise(markerRe.ReplaceAllString(res.Text, " ")) {
		out[tok.key]++
		outKeys = append(outKeys, tok.key)
	}
	allowed := map[string]int{}
	for _, w := range l.ordinary {
		allowed[w]++
	}
	for _, d := range l.details {
		s.details++
		leaked := false
		for _, tok := range tokenise(Normalise(d)) {
			if !skipped[tok.key] && out[tok.key] > allowed[tok.key] {
				leaked = true
			}
		}
		if leaked {
			notes = append(notes, "leaked {"+d+"}")
		} else {
			s.caught++
		}
	}
	j := 0
	for _, w := range l.ordinary {
		s.words++
		k := j
		for k < len(outKeys) && outKeys[k] != w {
			k++
		}
		if k < len(outKeys) {
			s.kept++
			j = k + 1
		} else {
			notes = append(notes, "lost "+w)
		}
	}
	switch {
	case l.risk:
		s.risks++
		if res.Safeguarding {
			s.flagged++
		} else {
			notes = append(notes, "risk not flagged")
		}
	default:
		s.ordinaryComments++
		if res.Safeguarding {
			s.fps++
			notes = append(notes, "flagged an ordinary comment")
		}
	}
	if len(notes) > 0 {
		notes = append(notes, "→ "+res.Text)
	}
	return s, notes
}

// TestCorpus_MeetsTargets measures the rules on the labelled corpus (issue 30):
// details caught ≥ 98 %, ordinary words kept ≥ 97 %, risk comments flagged
// 100 %, ordinary comments flagged ≤ 2 %. COMMENTCHECK_MISSES=1 lists misses.
func TestCorpus_MeetsTargets(t *testing.T) {
	c := newChecker(t)
	var total score
	for _, part := range []string{"testdata/corpus.txt", "testdata/heldout.txt", "testdata/heldout2.txt", "testdata/heldout3.txt", "testdata/heldout4.txt"} {
		var s score
		for _, l := range readCorpus(t, part) {
			one, notes := measure(c, l)
			s.add(one)
			if len(notes) > 0 && os.Getenv("COMMENTCHECK_MISSES") != "" {
				t.Logf("%s:%d: %s", part, l.line, strings.Join(notes, "; "))
			}
		}
		t.Logf("%s: details caught %.1f%% (%d/%d), ordinary words kept %.1f%% (%d/%d), risk flagged %.1f%% (%d/%d), ordinary comments flagged %.1f%% (%d/%d)",
			part, pct(s.caught, s.details), s.caught, s.details, pct(s.kept, s.words), s.kept, s.words,
			pct(s.flagged, s.risks), s.flagged, s.risks, pct(s.fps, s.ordinaryComments), s.fps, s.ordinaryComments)
		total.add(s)
	}
	t.Logf("all: details caught %.1f%%, ordinary words kept %.1f%%, risk flagged %.1f%%, ordinary comments flagged %.1f%% (%d comments)",
		pct(total.caught, total.details), pct(total.kept, total.words), pct(total.flagged, total.risks),
		pct(total.fps, total.ordinaryComments), total.risks+total.ordinaryComments)
	if pct(total.caught, total.details) < 98 {
		t.Errorf("details caught %.1f%%, target 98%%", pct(total.caught, total.details))
	}
	if pct(total.kept, total.words) < 97 {
		t.Errorf("ordinary words kept %.1f%%, target 97%%", pct(total.kept, total.words))
	}
	if total.flagged != total.risks {
		t.Errorf("risk comments flagged %d of %d, target all", total.flagged, total.risks)
	}
	if pct(total.fps, total.ordinaryComments) > 2 {
		t.Errorf("ordinary comments flagged %.1f%%, target at most 2%%", pct(total.fps, total.ordinaryComments))
	}
}

func newChecker(t testing.TB) *Checker {
	t.Helper()
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
