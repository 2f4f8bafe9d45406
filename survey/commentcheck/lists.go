package commentcheck

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// data holds the lists the rules read; data/SOURCES.md names where each came from.
//
//go:embed data/*.txt
var data embed.FS

// dataFiles are the lists a Checker loads, each replaceable by a file of the
// same name in Options.Dir.
var dataFiles = []string{
	"given_names.txt", "surnames.txt", "not_names.txt", "words_en.txt", "words_cy.txt",
	"places.txt", "workplaces.txt", "specialties.txt", "grades.txt", "safeguarding.txt", "risk_words.txt",
}

// Options say where a Checker's lists come from.
type Options struct {
	// Dir, when set, is a directory whose files replace the embedded lists of
	// the same name (format: survey/commentcheck/data); files it lacks stay embedded.
	Dir string
	// Practitioners are the service's own counsellors' and peer supporters'
	// names, as admins list them: always generalised, in full or in part.
	Practitioners []string
}

// Checker generalises comments and looks for words of risk. Build one with
// New and share it: Check is safe for concurrent use.
type Checker struct {
	lex         map[string]uint32 // every list, by lower-case key: an index in words (lexicon.go)
	words       []word
	phraseLists [][]phrase    // gazetteer phrases, by their first word (word.phrases)
	risk        *triggerIndex // phrases of risk, over lower-cased text
	riskWords   *riskWords    // words of risk in context
}

// phrase is one entry of a gazetteer: a place, workplace, specialty or grade.
type phrase struct {
	keys []string
	cat  Category
	caps bool // written in capitals: in text too, when its lower case is a word
	cue  bool // marked ~: only after "in", "into" or "on"
	own  bool // marked !: not after "my", "the" and the like ("my GP" is a person's own doctor)
}

// New loads the lists, embedded or from opts.Dir.
func New(opts Options) (*Checker, error) {
	c := &Checker{lex: make(map[string]uint32, 100_000), risk: &triggerIndex{}, riskWords: &riskWords{}}
	c.markRules()
	for _, name := range dataFiles {
		lines, err := readList(opts.Dir, name)
		if err != nil {
			return nil, err
		}
		if err := c.load(name, lines); err != nil {
			return nil, err
		}
	}
	for _, p := range opts.Practitioners {
		toks := tokenise(Normalise(p))
		if len(toks) == 0 {
			continue
		}
		var keys []string
		for _, t := range toks {
			c.mark(practitionerName, t.key)
			keys = append(keys, t.key)
		}
		c.addPhrase(phrase{keys: keys, cat: Name})
	}
	for k, ps := range c.riskWords.byFirst {
		c.riskWords.firsts = append(c.riskWords.firsts, ps)
		c.words[c.entry(k)].risk = uint32(len(c.riskWords.firsts))
	}
	c.riskWords.byFirst = nil
	c.freeze()
	return c, nil
}

// readList reads one list, from dir when it has the file, else embedded:
// one entry a line, blank lines and lines starting with # skipped.
func readList(dir, name string) ([]string, error) {
	var raw []byte
	var err error
	if dir != "" {
		raw, err = os.ReadFile(filepath.Join(dir, name))
	}
	if dir == "" || errors.Is(err, fs.ErrNotExist) {
		raw, err = data.ReadFile("data/" + name)
	}
	if err != nil {
		return nil, fmt.Errorf("commentcheck: read %s: %w", name, err)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			lines = append(lines, Normalise(line))
		}
	}
	return lines, nil
}

func (c *Checker) load(name string, lines []string) error {
	switch name {
	case "given_names.txt":
		c.addKeys(givenName, lines)
	case "surnames.txt":
		c.addKeys(surnameWord, lines)
	case "not_names.txt":
		c.addKeys(notNameWord, lines)
	case "words_en.txt", "words_cy.txt":
		for _, w := range lines {
			k := strings.ToLower(w)
			c.mark(knownWord, k)
			if w == k {
				c.mark(ordinaryWord, k)
			}
		}
	case "safeguarding.txt":
		return c.loadRisk(lines)
	case "risk_words.txt":
		return c.riskWords.load(lines)
	default:
		cat := map[string]Category{"places.txt": Place, "workplaces.txt": Workplace,
			"specialties.txt": Specialty, "grades.txt": Grade}[name]
		for _, l := range lines {
			p := phrase{cat: cat}
			l, p.cue = strings.CutSuffix(l, " ~")
			l, p.own = strings.CutSuffix(l, " !")
			toks := tokenise(l)
			if len(toks) == 0 {
				continue
			}
			p.caps = len(toks) == 1 && allCaps(toks[0].text)
			for _, t := range toks {
				p.keys = append(p.keys, t.key)
			}
			c.addPhrase(p)
		}
	}
	return nil
}

func (c *Checker) addKeys(f wordFlag, lines []string) {
	for _, l := range lines {
		c.mark(f, strings.ToLower(l))
	}
}

func (c *Checker) addPhrase(p phrase) {
	w := &c.words[c.entry(p.keys[0])]
	if w.phrases == 0 {
		c.phraseLists = append(c.phraseLists, nil)
		w.phrases = uint32(len(c.phraseLists))
	}
	c.phraseLists[w.phrases-1] = append(c.phraseLists[w.phrases-1], p)
}

// loadRisk reads "LANG: regexp" lines; LANG is en, cy or * (documentation
// only: every pattern is tried on every comment). They are matched on
// lower-cased text: a case-folding expression costs about twice as much.
func (c *Checker) loadRisk(lines []string) error {
	for i, l := range lines {
		lang, expr, ok := strings.Cut(l, ":")
		lang = strings.TrimSpace(lang)
		if !ok || (lang != "en" && lang != "cy" && lang != "*") {
			return fmt.Errorf("commentcheck: safeguarding.txt entry %d: write LANG: pattern (LANG en, cy or *)", i+1)
		}
		expr, except, _ := strings.Cut(expr, " !! ")
		re, err := regexp.Compile(`\b(?:` + strings.ToLower(strings.TrimSpace(expr)) + `)`)
		if err != nil {
			return fmt.Errorf("commentcheck: safeguarding.txt entry %d: %w", i+1, err)
		}
		var unless *regexp.Regexp
		if except = strings.TrimSpace(except); except != "" {
			if unless, err = regexp.Compile(`^ ?(?:` + strings.ToLower(except) + `)`); err != nil {
				return fmt.Errorf("commentcheck: safeguarding.txt entry %d: %w", i+1, err)
			}
		}
		if err := c.risk.addUnless(re, unless); err != nil {
			return fmt.Errorf("commentcheck: safeguarding.txt entry %d: %w", i+1, err)
		}
	}
	if len(c.risk.exprs) == 0 {
		return errors.New("commentcheck: safeguarding.txt has no patterns")
	}
	return nil
}

// isOrdinary reports whether a word, in any case, is an ordinary word of the
// comment's language (English words count in Welsh comments too).
func isOrdinary(t *token) bool { return t.either(ordinaryWord) }

// isKnown reports whether a word is in a dictionary, as a proper noun or not.
func isKnown(t *token) bool { return t.either(knownWord | notNameWord) }
