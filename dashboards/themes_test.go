package dashboards_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/dashboards"
)

func TestTagger_DefaultRulesTagByWordStemAndPhrase(t *testing.T) {
	tg, err := dashboards.LoadThemes("")
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string][]string{
		"she really listened and was so kind":     {"Staff listening, understanding & involving patients", "Staff manner & personal attributes"},
		"I waited ages on hold to get through":    {"Contacting services", "Timeliness of care"},
		"the line was bad and it cut off":         {"Environment & equipment"},
		"nothing to say":                          nil,
		"a skilled counsellor; i felt less alone": {"Competence & training", "Impact of treatment/ care"},
		"unkind": nil, // a stem matches from the start of a word only
	} {
		if got := tg.Tag(strings.ToLower(text)); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestParseThemes_RefusesMalformedRulesWithTheLine(t *testing.T) {
	for rules, want := range map[string]string{
		"a | b":                       "line 1",
		"# c\n\nA | B | x\nA | B | y": "line 4",
		"A | B | ,":                   "no words",
		"# nothing":                   "no rules",
	} {
		if _, err := dashboards.ParseThemes(strings.NewReader(rules)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", rules, err, want)
		}
	}
}

// BenchmarkTag tags one comment with the embedded rules: every comment of a
// month is tagged once, when the month's summary is counted.
func BenchmarkTag(b *testing.B) {
	t, err := dashboards.LoadThemes("")
	if err != nil {
		b.Fatal(err)
	}
	text := strings.ToLower("The counsellor listened to me and I felt understood, but I waited a long time on hold before anyone answered the phone.")
	for b.Loop() {
		t.Tag(text)
	}
}
