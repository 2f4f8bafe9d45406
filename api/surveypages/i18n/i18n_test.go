package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/surveypages/i18n"
	"github.com/feedback-service/feedback/survey"
)

func load(t *testing.T) i18n.Catalogues {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every key is in both languages, with text, and with the same %s verbs.
func TestCatalogue_EveryKeyIsInBothLanguages(t *testing.T) {
	c := load(t)
	en, cy := c[survey.English], c[survey.Welsh]
	for _, pair := range [][2]*i18n.Lang{{en, cy}, {cy, en}} {
		for _, k := range pair[0].Keys() {
			if !pair[1].Has(k) {
				t.Errorf("%q is in %s.json but missing from %s.json", k, pair[0].Code, pair[1].Code)
			}
		}
	}
	for _, k := range en.Keys() {
		if en.T(k) == "" || cy.T(k) == "" {
			t.Errorf("%q is empty in a language", k)
		}
		if strings.Count(en.T(k), "%s") != strings.Count(cy.T(k), "%s") {
			t.Errorf("%q: English and Welsh take different numbers of values", k)
		}
	}
}

// Every key the templates and the code use is in the catalogue: a missing one
// would show as its key.
func TestCatalogue_HasEveryKeyThePagesUse(t *testing.T) {
	en := load(t)[survey.English]
	used := map[string]bool{}
	uses := regexp.MustCompile(`(?:\.T|lang\.T|L\.T|Other\.T) "([a-z0-9_.]+)"|T\("([a-z0-9_.]+)"|"((?:survey|error|thanks|spent|notfound|privacy|emergency|site|lang)\.[a-z0-9_.]+)"`)
	files, _ := filepath.Glob("../*.go")
	templates, _ := filepath.Glob("../templates/*.html")
	for _, f := range append(files, templates...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(src), -1) {
			for _, k := range m[1:] {
				if k != "" && !strings.HasSuffix(k, ".") {
					used[k] = true
				}
			}
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys in use: is the pattern right?", len(used))
	}
	for k := range used {
		if !en.Has(k) {
			t.Errorf("%q is used but not in the catalogue", k)
		}
	}
	// The privacy page lists every field a stored response has.
	for _, f := range survey.ResponseFields {
		if !en.Has("privacy.field." + f) {
			t.Errorf("the privacy page has no words for the stored field %q", f)
		}
	}
}

func TestChoose_TheURLFirstThenAcceptLanguage(t *testing.T) {
	cases := []struct {
		query, header string
		want          survey.Language
	}{
		{"", "", survey.English},
		{"cy", "", survey.Welsh},
		{"en", "cy", survey.English},
		{"fr", "cy", survey.Welsh},
		{"", "cy", survey.Welsh},
		{"", "cy-GB,en;q=0.8", survey.Welsh},
		{"", "en-GB,en;q=0.9,cy;q=0.8", survey.English},
		{"", "fr,cy;q=0.5", survey.Welsh},
		{"", "cy;q=0", survey.English},
		{"", "cymraeg", survey.English},
		{"", "cy;q=abc", survey.English},
	}
	for _, tc := range cases {
		if got := i18n.Choose(tc.query, tc.header); got != tc.want {
			t.Errorf("Choose(%q, %q) = %s, want %s", tc.query, tc.header, got, tc.want)
		}
	}
}

func TestNumber_GroupsThousands(t *testing.T) {
	got := []string{i18n.Number(7), i18n.Number(1000), i18n.Number(12345), i18n.Number(1234567)}
	if !slices.Equal(got, []string{"7", "1,000", "12,345", "1,234,567"}) {
		t.Fatal(got)
	}
}
