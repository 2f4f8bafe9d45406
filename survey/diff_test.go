package survey_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/survey"
)

// edited returns a copy of the built-in counselling survey changed by edit.
func edited(t *testing.T, edit func(d *survey.Definition)) (*survey.Definition, *survey.Definition) {
	t.Helper()
	base, _ := embeddedCounselling(t)
	file, err := base.File()
	if err != nil {
		t.Fatal(err)
	}
	var d survey.Definition
	if err := json.Unmarshal(file, &d); err != nil {
		t.Fatal(err)
	}
	edit(&d)
	file, _ = json.Marshal(d)
	next, err := survey.ParseDefinition(file)
	if err != nil {
		t.Fatal(err)
	}
	return base, next
}

func question(d *survey.Definition, id string) *survey.Question {
	q, _ := d.Question(id)
	return q
}

func changesOf(diff survey.Diff, id string) []string {
	var out []string
	for _, q := range diff.Questions {
		if q.ID == id {
			out = append(out, string(q.Status))
			for _, c := range q.Changes {
				out = append(out, c.What+": "+c.Before+" → "+c.After)
			}
		}
	}
	return out
}

func TestCompare_SameVersionHasNoDifference(t *testing.T) {
	a, b := edited(t, func(*survey.Definition) {})
	if d := survey.Compare(a, b); !d.Empty() {
		t.Fatalf("a version compared with itself: %+v", d)
	}
}

func TestCompare_NamesEachChangeQuestionByQuestion(t *testing.T) {
	a, b := edited(t, func(d *survey.Definition) {
		question(d, "listened").Prompt = "Did your counsellor listen to you?"
		question(d, "ease").Cy.Options["easy"] = "Eithaf hawdd"
		h := question(d, "helped")
		h.Options = append(h.Options[:3:3], survey.Option{Value: "sleep", Label: "Sleep"})
		h.Cy.Options["sleep"] = "Cwsg"
		delete(h.Cy.Options, "other")
		d.Questions = slices.DeleteFunc(d.Questions, func(q survey.Question) bool { return q.ID == "recommend" })
		d.Questions = append(d.Questions, survey.Question{ID: "again", Short: "Would come again", Kind: survey.YesNo,
			Prompt: "Would you contact us again?", Cy: &survey.QuestionWelsh{Prompt: "A fyddech chi'n cysylltu â ni eto?",
				Options: map[string]string{"yes": "Byddwn", "no": "Na fyddwn"}}})
	})
	d := survey.Compare(a, b)
	for id, want := range map[string][]string{
		"listened":  {"changed", "English wording: Did you feel listened to by your counsellor? → Did your counsellor listen to you?"},
		"ease":      {"changed", "Welsh label of option easy: Hawdd → Eithaf hawdd"},
		"helped":    {"changed", "Option sleep added:  → Sleep", "Option other removed: Something else → "},
		"recommend": {"removed"},
		"again":     {"added"},
	} {
		got := changesOf(d, id)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %q missing from %q", id, w, got)
			}
		}
	}
	if got := changesOf(d, "fft"); got != nil {
		t.Errorf("the unchanged FFT question is listed: %q", got)
	}
	if added, removed, changed := d.Counts(); added != 1 || removed != 1 || changed != 3 {
		t.Errorf("counts %d added, %d removed, %d changed", added, removed, changed)
	}
}

func TestLanguageWarnings_OneLanguageChangedAndNotTheOther(t *testing.T) {
	a, b := edited(t, func(d *survey.Definition) {
		question(d, "listened").Prompt = "Did your counsellor listen to you?" // English only
		question(d, "ease").Cy.Prompt = "Pa mor hawdd oedd cael cymorth?"     // Welsh only
		e := question(d, "helped")                                            // both: no warning
		e.Prompt, e.Cy.Prompt = "What did it help with?", "Gyda beth wnaeth helpu?"
	})
	w := strings.Join(survey.LanguageWarnings(a, b), "\n")
	if !strings.Contains(w, "(Felt listened to): the English wording changed but the Welsh did not") ||
		!strings.Contains(w, "(Ease of getting support): the Welsh wording changed but the English did not") {
		t.Fatalf("warnings:\n%s", w)
	}
	if strings.Contains(w, "What it helped with") {
		t.Fatalf("a question changed in both languages is warned of:\n%s", w)
	}
	if w := survey.LanguageWarnings(a, a); w != nil {
		t.Fatalf("no change, warnings %q", w)
	}
}
