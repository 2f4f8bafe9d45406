package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Answer is the answer to one question; which field is used depends on the kind.
type Answer struct {
	Choice  string   // single, scale, yes/no
	Choices []string // multiple
	Number  int      // likelihood (0–10)
	Text    string   // free text, already redacted once validated
}

// Answers maps question ids to answers. An unanswered question is absent.
type Answers map[string]Answer

// FieldError is a problem with the answer to one question. Question is empty
// for a problem with the submission as a whole.
type FieldError struct {
	Question string `json:"question,omitempty"`
	Message  string `json:"message"`
}

// ValidationError lists every problem found in a submission, in question order.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Message
		if f.Question != "" {
			msgs[i] = f.Question + ": " + f.Message
		}
	}
	return "invalid answers: " + strings.Join(msgs, "; ")
}

// For returns the message for one question, or "".
func (e *ValidationError) For(question string) string {
	if e == nil {
		return ""
	}
	for _, f := range e.Fields {
		if f.Question == question {
			return f.Message
		}
	}
	return ""
}

func (e *ValidationError) add(question, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Question: question, Message: fmt.Sprintf(format, args...)})
}

func (e *ValidationError) orNil() *ValidationError {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Form field names besides the questions' ids.
const (
	NonceField    = "nonce"
	HoneypotField = "website"
	// InvitationField carries the single-use invitation a form was opened
	// from (see Responses.SubmitInvited).
	InvitationField = "invitation"
	// TokenField carries, instead of an invitation, a token blindly signed
	// in exchange for one (see Responses.SubmitToken).
	TokenField = "token"
)

// ParseForm reads a submitted HTML form. A field the form never offers, a single
// choice sent twice, or text that is not clean UTF-8 is an error, as is a filled
// honeypot (a field hidden from people and left empty by them).
func (d *Definition) ParseForm(form url.Values) (Answers, *ValidationError) {
	ve := &ValidationError{}
	if !d.asksFor(form) {
		ve.add("", "The form had a field it does not ask for. Please reload the page and try again.")
		return nil, ve
	}
	if hp := form[HoneypotField]; len(hp) > 1 || (len(hp) == 1 && hp[0] != "") {
		ve.add(HoneypotField, "Leave this field empty: it is there to stop automated submissions")
	}
	answers := Answers{}
	for i := range d.Questions {
		q := &d.Questions[i]
		values := form[q.ID]
		if q.Kind == Text {
			values = slices.DeleteFunc(slices.Clone(values), func(s string) bool { return strings.TrimSpace(s) == "" })
		} else {
			values = slices.DeleteFunc(slices.Clone(values), func(s string) bool { return s == "" })
		}
		if len(values) == 0 {
			continue
		}
		a, problem := q.formAnswer(values)
		if problem != "" {
			ve.add(q.ID, "%s", problem)
			continue
		}
		answers[q.ID] = a
	}
	d.check(answers, ve)
	return answers, ve.orNil()
}

// asksFor says whether every field of a form is a question or one of the
// form's own fields.
func (d *Definition) asksFor(form url.Values) bool {
	for key := range form {
		if key == NonceField || key == HoneypotField || key == InvitationField || key == TokenField || key == VersionField {
			continue
		}
		if _, ok := d.Question(key); !ok {
			return false
		}
	}
	return true
}

// formAnswer reads a question's non-empty form values as its answer, or says
// what is wrong with them.
func (q *Question) formAnswer(values []string) (Answer, string) {
	if q.Kind != Multiple && len(values) > 1 {
		return Answer{}, "Give one answer only"
	}
	var a Answer
	switch q.Kind {
	case Multiple:
		a.Choices = values
	case Likelihood:
		n, err := strconv.Atoi(values[0])
		if err != nil || values[0] != strconv.Itoa(n) {
			return Answer{}, "Choose a number from 0 to 10"
		}
		a.Number = n
	case Text:
		a.Text = values[0]
	default:
		a.Choice = values[0]
	}
	return a, ""
}

// MaxJSONDepth bounds nesting in a JSON submission; answers never need more than 3.
const MaxJSONDepth = 4

// JSONSubmission is the body of POST /api/v1/surveys/{service}/responses.
type JSONSubmission struct {
	Nonce   string                     `json:"nonce" validate:"required,max=128,printascii"`
	Version string                     `json:"version,omitempty" validate:"max=32"` // see SubmittedVersion
	Answers map[string]json.RawMessage `json:"answers" validate:"required,max=8"`
}

// ParseJSON reads a JSON submission strictly: unknown or duplicated fields,
// `$`-prefixed keys, wrong types, deep nesting and invalid UTF-8 are errors.
func (d *Definition) ParseJSON(body []byte) (nonce string, answers Answers, ve *ValidationError) {
	ve = &ValidationError{}
	if err := checkJSONShape(body); err != nil {
		ve.add("", "%s", err.Error())
		return "", nil, ve
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var sub JSONSubmission
	if err := dec.Decode(&sub); err != nil {
		ve.add("", "The body is not a valid submission: %s", jsonProblem(err))
		return "", nil, ve
	}
	if dec.More() {
		ve.add("", "The body must hold one JSON object only")
		return "", nil, ve
	}
	if err := validate.Struct(&sub); err != nil {
		ve.add("", "The body needs a nonce (from GET /api/v1/surveys/%s) and an answers object with at most 8 answers", d.Service)
		return "", nil, ve
	}
	answers = Answers{}
	for id := range sub.Answers {
		if _, ok := d.Question(id); !ok {
			ve.add(id, "There is no question %q in this survey", id)
		}
	}
	for i := range d.Questions {
		q := &d.Questions[i]
		raw, ok := sub.Answers[q.ID]
		if !ok || string(raw) == "null" {
			continue
		}
		a, err := decodeJSONAnswer(q, raw)
		if err != nil {
			ve.add(q.ID, "%s", err.Error())
			continue
		}
		if a != nil {
			answers[q.ID] = *a
		}
	}
	if len(ve.Fields) == 0 {
		d.check(answers, ve)
	}
	return sub.Nonce, answers, ve.orNil()
}

func decodeJSONAnswer(q *Question, raw json.RawMessage) (*Answer, error) {
	var a Answer
	switch q.Kind {
	case Multiple:
		if err := json.Unmarshal(raw, &a.Choices); err != nil {
			return nil, errors.New("Give a list of option values")
		}
		if len(a.Choices) == 0 {
			return nil, nil
		}
	case Likelihood:
		var n json.Number
		if len(raw) == 0 || raw[0] == '"' {
			return nil, errors.New("Give a whole number from 0 to 10")
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&n); err != nil {
			return nil, errors.New("Give a whole number from 0 to 10")
		}
		v, err := strconv.Atoi(n.String())
		if err != nil {
			return nil, errors.New("Give a whole number from 0 to 10")
		}
		a.Number = v
	case Text:
		if err := json.Unmarshal(raw, &a.Text); err != nil {
			return nil, errors.New("Give the answer as a string")
		}
		if strings.TrimSpace(a.Text) == "" {
			return nil, nil
		}
	default:
		if err := json.Unmarshal(raw, &a.Choice); err != nil {
			return nil, errors.New("Give one option value as a string")
		}
	}
	return &a, nil
}

// check applies every question's rules to answers already parsed, and redacts
// free text once it passes.
func (d *Definition) check(answers Answers, ve *ValidationError) {
	for i := range d.Questions {
		q := &d.Questions[i]
		if ve.For(q.ID) != "" {
			continue
		}
		a, answered := answers[q.ID]
		if !answered {
			if q.Required {
				ve.add(q.ID, "Select an answer for %q", q.Short)
			}
			continue
		}
		switch q.Kind {
		case Multiple:
			seen := map[string]bool{}
			for _, c := range a.Choices {
				if !q.HasOption(c) || seen[c] {
					ve.add(q.ID, "Choose from the options shown, each once")
					break
				}
				seen[c] = true
			}
		case Likelihood:
			if a.Number < 0 || a.Number > likelihoodMaximum {
				ve.add(q.ID, "Choose a number from 0 to 10")
			}
		case Text:
			text := strings.ReplaceAll(a.Text, "\r\n", "\n")
			if msg := checkText(text, q.MaxLength); msg != "" {
				ve.add(q.ID, "%s", msg)
				continue
			}
			a.Text = Redact(strings.TrimSpace(text))
			answers[q.ID] = a
		default:
			if !q.HasOption(a.Choice) {
				ve.add(q.ID, "Choose one of the options shown")
			}
		}
	}
}

func checkText(text string, maxLength int) string {
	if !utf8.ValidString(text) {
		return "Your answer contains characters we cannot read. Please retype it"
	}
	for _, r := range text {
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return "Your answer contains characters we cannot read. Please retype it"
		}
	}
	if n := utf8.RuneCountInString(text); n > maxLength {
		return fmt.Sprintf("Your answer must be %s characters or fewer; it has %s", thousands(maxLength), thousands(n))
	}
	return ""
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	return thousands(n/1000) + "," + s[len(s)-3:]
}
