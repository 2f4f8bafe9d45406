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
	ordinary      map[string]bool // ordinary words, lower case, English and Welsh
	known         map[string]bool // every dictionary word, proper nouns too, lower case
	given         map[string]bool
	surname       map[string]bool
	practitioners map[string]bool
	notName       map[string]bool
	phrases       map[string][]phrase // by the key of their first word
	risk          *triggerIndex       // phrases of risk, over lower-cased text
	words         *riskWords          // words of risk in context
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
	c := &Checker{
		ordinary: map[string]bool{}, known: map[string]bool{}, given: map[string]bool{},
		surname: map[string]bool{}, practitioners: map[string]bool{}, notName: map[string]bool{},
		phrases: map[string][]phrase{}, risk: &triggerIndex{}, words: &riskWords{},
	}
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
			c.practitioners[t.key] = true
			keys = append(keys, t.key)
		}
		c.addPhrase(phrase{keys: keys, cat: Name})
	}
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
		addKeys(c.given, lines)
	case "surnames.txt":
		addKeys(c.surname, lines)
	case "not_names.txt":
		addKeys(c.notName, lines)
	case "words_en.txt", "words_cy.txt":
		for _, w := range lines {
			k := strings.ToLower(w)
			c.known[k] = true
			if w == k {
				c.ordinary[k] = true
			}
		}
	case "safeguarding.txt":
		return c.loadRisk(lines)
	case "risk_words.txt":
		return c.words.load(lines)
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

func addKeys(set map[string]bool, lines []string) {
	for _, l := range lines {
		set[strings.ToLower(l)] = true
	}
}

func (c *Checker) addPhrase(p phrase) {
	c.phrases[p.keys[0]] = append(c.phrases[p.keys[0]], p)
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
func (c *Checker) isOrdinary(key string) bool {
	return c.ordinary[key] || c.ordinary[possessive(key)]
}

// isKnown reports whether a word is in a dictionary, as a proper noun or not.
func (c *Checker) isKnown(key string) bool {
	return c.known[key] || c.known[possessive(key)] || c.notName[key] || c.notName[possessive(key)]
}
