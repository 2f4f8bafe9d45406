package survey

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// DefinitionWelsh is the Welsh of a survey's title and intro. A translation
// never changes what a version asks: it is left out of the version and of
// every question's fingerprint, and answers in either language are the same
// option values, so they count together.
type DefinitionWelsh struct {
	Title string `json:"title" validate:"required,max=80"`
	Intro string `json:"intro" validate:"required,max=400"`
}

// QuestionWelsh is the Welsh of one question: its prompt, hint, the end
// labels of a 0–10 scale, and each option's label by option value (yes/no
// included: Welsh answers with the question's verb, "Do"/"Naddo",
// "Oeddwn"/"Nac oeddwn").
type QuestionWelsh struct {
	Prompt    string            `json:"prompt" validate:"required,max=200"`
	Hint      string            `json:"hint,omitempty" validate:"max=300"`
	LowLabel  string            `json:"low_label,omitempty" validate:"max=40"`
	HighLabel string            `json:"high_label,omitempty" validate:"max=40"`
	Options   map[string]string `json:"options,omitempty" validate:"dive,required,max=60"`
}

// Language is a language the service users' pages are offered in.
type Language string

// The languages of the service users' pages.
const (
	English Language = "en"
	Welsh   Language = "cy"
)

// checkWelsh checks that a translated survey translates every string a
// person sees, and nothing that is not there. A survey without a "cy" block is
// shown in English only (Load refuses it for the built-in surveys).
func (d *Definition) checkWelsh() error {
	for i := range d.Questions {
		q := &d.Questions[i]
		if d.Cy == nil {
			if q.Cy != nil {
				return &DefinitionError{Field: "cy.title", Message: fmt.Sprintf("question %q has Welsh but the survey has no \"cy\" title and intro", q.ID)}
			}
			continue
		}
		if part, err := q.checkWelsh(); err != nil {
			return &DefinitionError{Field: fmt.Sprintf("questions[%d].cy_%s", i, part), Message: fmt.Sprintf("question %q: Welsh: %v", q.ID, err)}
		}
	}
	return nil
}

// checkWelsh checks one question's Welsh; part names the field at fault
// (prompt, hint, low_label or options).
func (q *Question) checkWelsh() (part string, err error) {
	w := q.Cy
	switch {
	case w == nil:
		return "prompt", errors.New("missing: every question needs a \"cy\" block")
	case (q.Hint == "") != (w.Hint == ""):
		return "hint", errors.New("hint: give one in Welsh exactly when there is one in English")
	case (q.LowLabel == "") != (w.LowLabel == "") || (q.HighLabel == "") != (w.HighLabel == ""):
		return "low_label", errors.New("low_label and high_label: give them in Welsh exactly when in English")
	}
	var want []string
	if q.Kind != Likelihood { // the numbers 0–10 need no translation
		for _, o := range q.Options {
			want = append(want, o.Value)
		}
	}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(w.Options)); !slices.Equal(got, want) {
		return "options", fmt.Errorf("options: need a Welsh label for each of %v, and no other; have %v", want, got)
	}
	return "", nil
}

// withoutTranslations is the definition as far as its meaning goes: what
// defines its version.
func (d Definition) withoutTranslations() Definition {
	d.Cy = nil
	d.Questions = slices.Clone(d.Questions)
	for i := range d.Questions {
		d.Questions[i].Cy = nil
	}
	return d
}

// In returns the survey's title and intro in language l.
func (d *Definition) In(l Language) (title, intro string) {
	if l == Welsh && d.Cy != nil {
		return d.Cy.Title, d.Cy.Intro
	}
	return d.Title, d.Intro
}

// QuestionText is what one question shows, in one language.
type QuestionText struct {
	Prompt, Hint, LowLabel, HighLabel string
	Options                           []Option // values as stored, labels translated
}

// In returns what the question shows in language l: English when it has no
// Welsh.
func (q *Question) In(l Language) QuestionText {
	t := QuestionText{Prompt: q.Prompt, Hint: q.Hint, LowLabel: q.LowLabel, HighLabel: q.HighLabel, Options: q.Options}
	if l != Welsh || q.Cy == nil {
		return t
	}
	w := q.Cy
	t.Prompt, t.Hint, t.LowLabel, t.HighLabel = w.Prompt, w.Hint, w.LowLabel, w.HighLabel
	t.Options = make([]Option, len(q.Options))
	for i, o := range q.Options {
		t.Options[i] = o
		if label, ok := w.Options[o.Value]; ok {
			t.Options[i].Label = label
		}
	}
	return t
}
