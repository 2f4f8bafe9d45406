// Package field is the one shape of "this answer needs correcting": domain
// packages return it from their rules, pages show it in an error summary and
// beside the field, and the JSON API lists it in a problem document. It
// imports nothing of the service, so every domain can use it without crossing
// the privacy wall between intake and survey.
package field

import "strings"

// Error is one problem with one field, named as the form names it. An empty
// Field is a problem with the submission as a whole.
type Error struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Errors are the problems with one submission, in the order of its fields.
// As an error it lists them all; a nil or empty Errors is no error (see Err).
type Errors []Error

// Add appends a problem with field.
func (e *Errors) Add(field, message string) { *e = append(*e, Error{field, message}) }

// For returns the message for a field, or "".
func (e Errors) For(field string) string {
	for _, f := range e {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// Summary lists each message once, linked to the first field it concerns: a
// failed sign-in marks both fields with one message.
func (e Errors) Summary() Errors {
	var out Errors
	seen := map[string]bool{}
	for _, f := range e {
		if !seen[f.Message] {
			seen[f.Message] = true
			out = append(out, f)
		}
	}
	return out
}

// Renamed returns the errors with each field renamed by name, e.g. a question
// id to the id of its first input, where an error summary link should land.
// No errors stay nil, so a page can still test for none with == nil.
func (e Errors) Renamed(name func(field string) string) Errors {
	if len(e) == 0 {
		return nil
	}
	out := make(Errors, len(e))
	for i, f := range e {
		out[i] = Error{Field: name(f.Field), Message: f.Message}
	}
	return out
}

// Error lists every problem, each after the field it concerns.
func (e Errors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Message
		if f.Field != "" {
			parts[i] = f.Field + ": " + f.Message
		}
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Err is e as an error, or nil when there are no problems: a nil Errors in an
// error interface would not compare equal to nil.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}
