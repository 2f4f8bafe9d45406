package dashboards

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// defaultThemes are the rules used unless Options.ThemesFile names others.
//
//go:embed themes.txt
var defaultThemes string

// Theme is one theme of the framework and the words that tag a comment with
// it. Tagging is a transparent rule, read by people and kept in a file an
// admin can edit; no comment is sent anywhere to be tagged.
type Theme struct {
	Name     string   `json:"name"`
	Category string   `json:"category"`
	Words    []string `json:"words"`
	// anchors are the first word of each of Words, without its *, and
	// patterns each word's own pattern: a word's pattern is run only on a
	// text that holds its anchor.
	anchors  []string
	patterns []*regexp.Regexp
}

// Tagger tags comments with themes.
type Tagger struct {
	Themes []Theme
	stamp  string // a hash of the rules, naming them in stored counts
}

// ParseThemes reads rules, "theme | category | word, word*, a phrase" a line;
// blank lines and lines starting with # are skipped.
func ParseThemes(r io.Reader) (*Tagger, error) {
	t := &Tagger{}
	sc := bufio.NewScanner(r)
	line := 0
	seen := map[string]bool{}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.Split(text, "|")
		if len(parts) != 3 {
			return nil, fmt.Errorf("themes line %d: write theme | category | words", line)
		}
		th := Theme{Name: strings.TrimSpace(parts[0]), Category: strings.TrimSpace(parts[1])}
		if th.Name == "" || seen[th.Name] {
			return nil, fmt.Errorf("themes line %d: a theme needs a name of its own", line)
		}
		seen[th.Name] = true
		for _, w := range strings.Split(parts[2], ",") {
			w = strings.ToLower(strings.TrimSpace(w))
			if w == "" {
				continue
			}
			th.Words = append(th.Words, w)
			th.anchors = append(th.anchors, strings.TrimSuffix(strings.Fields(w)[0], "*"))
			th.patterns = append(th.patterns, regexp.MustCompile(`\b`+wordPattern(w)))
		}
		if len(th.Words) == 0 {
			return nil, fmt.Errorf("themes line %d: %q has no words", line, th.Name)
		}
		t.Themes = append(t.Themes, th)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(t.Themes) == 0 {
		return nil, fmt.Errorf("themes: no rules")
	}
	h := sha256.New()
	for _, th := range t.Themes {
		fmt.Fprintf(h, "%s|%s|%s\n", th.Name, th.Category, strings.Join(th.Words, ","))
	}
	t.stamp = hex.EncodeToString(h.Sum(nil)[:12])
	return t, nil
}

// wordPattern matches a word or phrase whole, or as a stem when it ends in *.
func wordPattern(w string) string {
	stem := strings.HasSuffix(w, "*")
	p := strings.ReplaceAll(regexp.QuoteMeta(strings.TrimSuffix(w, "*")), " ", `\s+`)
	if stem {
		return p + `\w*\b`
	}
	return p + `\b`
}

// LoadThemes reads the rules from path, or the embedded defaults when path
// is empty.
func LoadThemes(path string) (*Tagger, error) {
	if path == "" {
		return ParseThemes(strings.NewReader(defaultThemes))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("themes file: %w", err)
	}
	defer f.Close()
	return ParseThemes(f)
}

// Tag returns the names of the themes a comment's text has, in rule order.
// text must already be lower case.
func (t *Tagger) Tag(lower string) []string {
	var out []string
	for _, th := range t.Themes {
		if th.matches(lower) {
			out = append(out, th.Name)
		}
	}
	return out
}

// matches says whether a text (lower case) has the theme. Looking for the
// anchors first makes tagging about fifty times faster (the patterns' \b
// alternations are slow in Go's regexp), and comments are tagged by the
// hundred thousand when a year's months are first counted.
func (th *Theme) matches(lower string) bool {
	for i, a := range th.anchors {
		if strings.Contains(lower, a) && th.patterns[i].MatchString(lower) {
			return true
		}
	}
	return false
}

// HasTheme says whether a comment's text (lower case) has the theme name.
func (t *Tagger) HasTheme(lower, name string) bool {
	for _, th := range t.Themes {
		if th.Name == name {
			return th.matches(lower)
		}
	}
	return false
}

// Has says whether name is one of the themes.
func (t *Tagger) Has(name string) bool {
	for _, th := range t.Themes {
		if th.Name == name {
			return true
		}
	}
	return false
}
