package survey

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// DefinitionError names the part of a definition that breaks a rule, as a
// path into its JSON file ("questions[2].prompt"), so a form can mark the field.
type DefinitionError struct {
	Field   string
	Message string
}

func (e *DefinitionError) Error() string { return e.Message }

// ErrInvalidDefinition is every DefinitionError, for errors.Is.
var ErrInvalidDefinition = errors.New("survey definition breaks a rule")

// Is makes a DefinitionError match ErrInvalidDefinition.
func (e *DefinitionError) Is(target error) bool { return target == ErrInvalidDefinition }

// fieldPath turns a validator namespace ("Definition.Questions[2].MaxLength")
// into the path of the JSON field ("questions[2].max_length").
func fieldPath(ns string) string {
	ns = strings.TrimPrefix(ns, "Definition.")
	var b strings.Builder
	for i, r := range ns {
		if unicode.IsUpper(r) {
			if i > 0 && ns[i-1] != '.' {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// File returns the definition as a JSON file in the format it is imported
// from: the options that yes/no and 0–10 questions imply are left out, so the
// file parses back to the same version.
func (d *Definition) File() ([]byte, error) {
	out := *d
	out.Questions = make([]Question, len(d.Questions))
	for i, q := range d.Questions {
		if q.Kind == YesNo || q.Kind == Likelihood {
			q.Options = nil
		}
		out.Questions[i] = q
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export survey %s: %w", d.Service, err)
	}
	return append(b, '\n'), nil
}

// identifying matches wording that asks for something able to single a person
// out: a doctor's name, contact details, age, registration number or
// workplace. A survey may ask none of it, so the answers stay anonymous.
var identifying = regexp.MustCompile(`(?i)\b(your (full |first |last )?name|initials|e-?mail|phone|mobile|address|post ?code|` +
	`date of birth|how old|your age|age group|gmc|nhs number|registration number|which hospital|your hospital|` +
	`(which|your) trust|employer|where (do )?you work|job title|specialty|your grade|medical school|deanery|` +
	`which (city|town|county|practice))\b`)

// checkNotIdentifying refuses a question, or an option, worded to identify.
func (d *Definition) checkNotIdentifying() error {
	for i, q := range d.Questions {
		for _, f := range [][2]string{{"prompt", q.Prompt}, {"short", q.Short}} {
			if m := identifying.FindString(f[1]); m != "" {
				return &DefinitionError{Field: fmt.Sprintf("questions[%d].%s", i, f[0]),
					Message: fmt.Sprintf("question %q: %q could identify the person answering; the survey must stay anonymous", q.ID, m)}
			}
		}
		for j, o := range q.Options {
			if m := identifying.FindString(o.Label); m != "" {
				return &DefinitionError{Field: fmt.Sprintf("questions[%d].options[%d].label", i, j),
					Message: fmt.Sprintf("question %q: option %q could identify the person answering", q.ID, o.Value)}
			}
		}
	}
	return nil
}
