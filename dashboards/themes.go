package dashboards

import (
	"bufio"
	_ "embed"
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
	match    *regexp.Regexp
}

// Tagger tags comments with themes.
type Tagger struct {
	Themes []Theme
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
		var alts []string
		for _, w := range strings.Split(parts[2], ",") {
			w = strings.ToLower(strings.TrimSpace(w))
			if w == "" {
				continue
			}
			th.Words = append(th.Words, w)
			alts = append(alts, wordPattern(w))
		}
		if len(alts) == 0 {
			return nil, fmt.Errorf("themes line %d: %q has no words", line, th.Name)
		}
		th.match = regexp.MustCompile(`\b(?:` + strings.Join(alts, "|") + `)`)
		t.Themes = append(t.Themes, th)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(t.Themes) == 0 {
		return nil, fmt.Errorf("themes: no rules")
	}
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
		if th.match.MatchString(lower) {
			out = append(out, th.Name)
		}
	}
	return out
}

// HasTheme says whether a comment's text (lower case) has the theme name.
func (t *Tagger) HasTheme(lower, name string) bool {
	for _, th := range t.Themes {
		if th.Name == name {
			return th.match.MatchString(lower)
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
