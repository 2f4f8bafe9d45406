package survey

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A Diff says what changed from one version of a survey to another, question
// by question, in words an admin reads before publishing or rolling back:
// questions added and removed, and for a question kept (same id) each field
// reworded in English or in Welsh, options added, removed or relabelled, and
// its kind, position or whether it must be answered.
type Diff struct {
	// Survey holds the changes to the title and introduction.
	Survey    []FieldChange
	Questions []QuestionDiff
}

// QuestionDiff is one question's changes. A question that did not change is
// not listed.
type QuestionDiff struct {
	ID, Short string
	Status    QuestionStatus
	// Prompt is the English prompt: the new one, or the old for a removed question.
	Prompt  string
	Changes []FieldChange // for a changed question
}

// QuestionStatus says whether a question was added, removed or changed.
type QuestionStatus string

// The statuses of a question in a Diff.
const (
	QuestionAdded   QuestionStatus = "added"
	QuestionRemoved QuestionStatus = "removed"
	QuestionChanged QuestionStatus = "changed"
)

// FieldChange is one field that differs, with its text before and after
// ("" for a field that was absent).
type FieldChange struct {
	What          string // "English wording", "Welsh label of option very_easy", …
	Language      Language
	Before, After string
}

// Empty reports whether the two versions ask and show exactly the same.
func (d Diff) Empty() bool { return len(d.Survey) == 0 && len(d.Questions) == 0 }

// Summary says in a sentence how many questions were added, removed and
// changed, and whether the survey's own texts changed.
func (d Diff) Summary() string {
	added, removed, changed := d.Counts()
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{added, "added"}, {removed, "removed"}, {changed, "changed"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d question%s %s", p.n, plural(p.n), p.what))
		}
	}
	if len(d.Survey) > 0 {
		parts = append(parts, "the survey's title, introduction or intake rules changed")
	}
	if len(parts) == 0 {
		return "No difference"
	}
	s := strings.Join(parts, ", ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Counts are how many questions were added, removed and changed.
func (d Diff) Counts() (added, removed, changed int) {
	for _, q := range d.Questions {
		switch q.Status {
		case QuestionAdded:
			added++
		case QuestionRemoved:
			removed++
		case QuestionChanged:
			changed++
		}
	}
	return added, removed, changed
}

// Compare returns what changed from a to b. Questions are matched by id: a
// question whose id changed is one removed and one added, as the dashboards
// count it.
func Compare(a, b *Definition) Diff {
	var d Diff
	ta, ia := a.In(English)
	tb, ib := b.In(English)
	d.Survey = appendChange(d.Survey, "English title", English, ta, tb)
	d.Survey = appendChange(d.Survey, "English introduction", English, ia, ib)
	wa, wb := a.Cy, b.Cy
	if wa == nil {
		wa = &DefinitionWelsh{}
	}
	if wb == nil {
		wb = &DefinitionWelsh{}
	}
	d.Survey = appendChange(d.Survey, "Welsh title", Welsh, wa.Title, wb.Title)
	d.Survey = appendChange(d.Survey, "Welsh introduction", Welsh, wa.Intro, wb.Intro)
	d.Survey = appendChange(d.Survey, "Intake rules followed (based on)", "", a.BasedOn, b.BasedOn)

	// A question moved when its place among the questions both versions ask
	// changed: one added or removed before it moves nothing.
	keptA, keptB := kept(a, b), kept(b, a)
	for i, q := range b.Questions {
		old, ok := a.Question(q.ID)
		if !ok {
			d.Questions = append(d.Questions, QuestionDiff{ID: q.ID, Short: q.Short, Status: QuestionAdded, Prompt: q.Prompt})
			continue
		}
		changes := compareQuestion(old, &b.Questions[i])
		if slices.Index(keptA, q.ID) != slices.Index(keptB, q.ID) {
			changes = append(changes, FieldChange{What: "Position", Before: strconv.Itoa(a.position(q.ID) + 1), After: strconv.Itoa(i + 1)})
		}
		if len(changes) > 0 {
			d.Questions = append(d.Questions, QuestionDiff{ID: q.ID, Short: q.Short, Status: QuestionChanged, Prompt: q.Prompt, Changes: changes})
		}
	}
	for _, q := range a.Questions {
		if _, ok := b.Question(q.ID); !ok {
			d.Questions = append(d.Questions, QuestionDiff{ID: q.ID, Short: q.Short, Status: QuestionRemoved, Prompt: q.Prompt})
		}
	}
	return d
}

// kept lists the ids of a's questions that b asks too, in a's order.
func kept(a, b *Definition) []string {
	var out []string
	for _, q := range a.Questions {
		if _, ok := b.Question(q.ID); ok {
			out = append(out, q.ID)
		}
	}
	return out
}

func (d *Definition) position(id string) int {
	for i, q := range d.Questions {
		if q.ID == id {
			return i
		}
	}
	return -1
}

// compareQuestion lists the fields of one question that differ.
func compareQuestion(a, b *Question) []FieldChange {
	var out []FieldChange
	out = appendChange(out, "Kind of answer", "", string(a.Kind), string(b.Kind))
	out = appendChange(out, "Short name on the dashboards", "", a.Short, b.Short)
	out = appendChange(out, "Answer required", "", yesNo(a.Required), yesNo(b.Required))
	out = appendChange(out, "Most characters", "", number(a.MaxLength), number(b.MaxLength))
	wa, wb := a.welsh(), b.welsh()
	for _, f := range []struct {
		what               string
		en1, en2, cy1, cy2 string
	}{
		{what: "wording", en1: a.Prompt, en2: b.Prompt, cy1: wa.Prompt, cy2: wb.Prompt},
		{what: "hint", en1: a.Hint, en2: b.Hint, cy1: wa.Hint, cy2: wb.Hint},
		{what: "label of 0", en1: a.LowLabel, en2: b.LowLabel, cy1: wa.LowLabel, cy2: wb.LowLabel},
		{what: "label of 10", en1: a.HighLabel, en2: b.HighLabel, cy1: wa.HighLabel, cy2: wb.HighLabel},
	} {
		out = appendChange(out, "English "+f.what, English, f.en1, f.en2)
		out = appendChange(out, "Welsh "+f.what, Welsh, f.cy1, f.cy2)
	}
	if a.Kind == Likelihood || b.Kind == Likelihood {
		return out // its options are the numbers 0 to 10, never relabelled
	}
	for _, o := range b.Options {
		if !a.HasOption(o.Value) {
			out = append(out, FieldChange{What: "Option " + o.Value + " added", Language: English, After: o.Label})
			continue
		}
		out = appendChange(out, "English label of option "+o.Value, English, a.optionLabel(o.Value), o.Label)
		out = appendChange(out, "Welsh label of option "+o.Value, Welsh, wa.Options[o.Value], wb.Options[o.Value])
	}
	for _, o := range a.Options {
		if !b.HasOption(o.Value) {
			out = append(out, FieldChange{What: "Option " + o.Value + " removed", Language: English, Before: o.Label})
		}
	}
	if ka, kb := keptOptions(a, b), keptOptions(b, a); ka != kb {
		out = append(out, FieldChange{What: "Order of the options", Before: ka, After: kb})
	}
	return out
}

// welsh is the question's Welsh, or an empty one.
func (q *Question) welsh() QuestionWelsh {
	if q.Cy == nil {
		return QuestionWelsh{}
	}
	return *q.Cy
}

func (q *Question) optionLabel(value string) string {
	for _, o := range q.Options {
		if o.Value == value {
			return o.Label
		}
	}
	return ""
}

// keptOptions lists the values of a's options that b offers too, in a's order.
func keptOptions(a, b *Question) string {
	var values []string
	for _, o := range a.Options {
		if b.HasOption(o.Value) {
			values = append(values, o.Value)
		}
	}
	return strings.Join(values, ", ")
}

func appendChange(out []FieldChange, what string, l Language, before, after string) []FieldChange {
	if before == after {
		return out
	}
	return append(out, FieldChange{What: what, Language: l, Before: before, After: after})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func number(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// LanguageWarnings names each text of a bilingual survey whose English changed
// from a to b while its Welsh did not, or the other way round: a translation
// left behind, or a fix made in one language only. Each is a sentence; none
// stops a publish (a Welsh-only correction is common), but an admin reads them
// before publishing. A survey in English only has none.
func LanguageWarnings(a, b *Definition) []string {
	if b.Cy == nil {
		return nil
	}
	var out []string
	warn := func(where, what string, en, cy bool) {
		switch {
		case en && !cy:
			out = append(out, fmt.Sprintf("%s: the English %s changed but the Welsh did not. Check the Welsh still says the same.", where, what))
		case cy && !en:
			out = append(out, fmt.Sprintf("%s: the Welsh %s changed but the English did not. Check the two still say the same.", where, what))
		}
	}
	if a.Cy != nil {
		warn("The survey", "title", a.Title != b.Title, a.Cy.Title != b.Cy.Title)
		warn("The survey", "introduction", a.Intro != b.Intro, a.Cy.Intro != b.Cy.Intro)
	}
	for i := range b.Questions {
		q := &b.Questions[i]
		old, ok := a.Question(q.ID)
		if !ok || old.Cy == nil || q.Cy == nil {
			continue
		}
		where := fmt.Sprintf("Question %d (%s)", i+1, q.Short)
		wa, wb := old.welsh(), q.welsh()
		warn(where, "wording", old.Prompt != q.Prompt, wa.Prompt != wb.Prompt)
		warn(where, "hint", old.Hint != q.Hint, wa.Hint != wb.Hint)
		warn(where, "label of 0", old.LowLabel != q.LowLabel, wa.LowLabel != wb.LowLabel)
		warn(where, "label of 10", old.HighLabel != q.HighLabel, wa.HighLabel != wb.HighLabel)
		for _, o := range q.Options {
			if old.HasOption(o.Value) {
				warn(where, "label of option "+o.Value, old.optionLabel(o.Value) != o.Label, wa.Options[o.Value] != wb.Options[o.Value])
			}
		}
	}
	return out
}
