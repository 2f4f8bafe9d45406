package survey_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/survey"
)

func embeddedCounselling(t *testing.T) (*survey.Definition, map[string]any) {
	t.Helper()
	c, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Get("counselling")
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return d, m
}

func TestWelsh_EveryBuiltInSurveyIsTranslated(t *testing.T) {
	c, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.All() {
		title, intro := d.In(survey.Welsh)
		if title == d.Title || intro == d.Intro {
			t.Errorf("%s: Welsh title/intro same as English", d.Service)
		}
		for _, q := range d.Questions {
			w := q.In(survey.Welsh)
			if w.Prompt == q.Prompt {
				t.Errorf("%s/%s: Welsh prompt same as English", d.Service, q.ID)
			}
			for i, o := range w.Options {
				if o.Value != q.Options[i].Value {
					t.Errorf("%s/%s: Welsh option %d has value %q, want %q", d.Service, q.ID, i, o.Value, q.Options[i].Value)
				}
			}
		}
	}
}

func TestWelsh_ATranslationChangesNeitherVersionNorFingerprint(t *testing.T) {
	d, m := embeddedCounselling(t)
	m["cy"].(map[string]any)["title"] = "Teitl arall"
	q := m["questions"].([]any)[0].(map[string]any)
	q["cy"].(map[string]any)["prompt"] = "Cwestiwn arall"
	stripBuiltInOptions(m)
	raw, _ := json.Marshal(m)
	changed, err := survey.ParseDefinition(raw)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Version != d.Version || changed.Questions[0].Fingerprint != d.Questions[0].Fingerprint {
		t.Fatalf("a Welsh change moved the version %s→%s or fingerprint", d.Version, changed.Version)
	}
}

func TestWelsh_RefusesAMissingTranslation(t *testing.T) {
	cases := map[string]func(q map[string]any){
		"no cy block":    func(q map[string]any) { delete(q, "cy") },
		"a missing hint": func(q map[string]any) { delete(q["cy"].(map[string]any), "hint") },
		"a missing option": func(q map[string]any) {
			if opts, ok := q["cy"].(map[string]any)["options"].(map[string]any); ok {
				delete(opts, "very_good")
			}
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			_, m := embeddedCounselling(t)
			stripBuiltInOptions(m)
			qs := m["questions"].([]any)
			target := qs[0].(map[string]any)
			if name == "a missing hint" {
				target = qs[1].(map[string]any)
			}
			breakIt(target)
			raw, _ := json.Marshal(m)
			_, err := survey.ParseDefinition(raw)
			if err == nil || !strings.Contains(err.Error(), "Welsh") {
				t.Fatalf("err %v, want the missing Welsh named", err)
			}
		})
	}
}

// stripBuiltInOptions removes the options yes/no and 0–10 questions get on
// loading, so a marshalled definition can be parsed again.
func stripBuiltInOptions(m map[string]any) {
	for _, q := range m["questions"].([]any) {
		q := q.(map[string]any)
		if k := q["kind"]; k == "yesno" || k == "likelihood" {
			delete(q, "options")
		}
	}
}
