package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// checkJSONShape rejects invalid UTF-8, `$`-prefixed keys, duplicated keys
// and nesting deeper than MaxJSONDepth before the body is decoded.
func checkJSONShape(body []byte) error {
	if !utf8.Valid(body) {
		return errors.New("The body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonFrame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("The body is not valid JSON: %s", jsonProblem(err))
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if k, ok := tok.(string); ok && top.expectsKey() {
			if err := top.addKey(k, len(stack) == 1); err != nil {
				return err
			}
			continue
		}
		if stack, err = nest(stack, top, tok); err != nil {
			return err
		}
	}
}

// jsonFrame is one object or array checkJSONShape is inside.
type jsonFrame struct {
	object bool
	keys   map[string]bool
	key    bool // the next string token in this object is a key
}

func (f *jsonFrame) expectsKey() bool { return f != nil && f.object && f.key }

// valueSeen notes a value in f: in an object, a key comes next.
func (f *jsonFrame) valueSeen() {
	if f != nil && f.object {
		f.key = true
	}
}

// addKey checks a key of f; a dot is allowed below the top level only.
func (f *jsonFrame) addKey(k string, topLevel bool) error {
	if strings.HasPrefix(k, "$") {
		return fmt.Errorf("Field names may not start with $ (%q)", k)
	}
	if strings.ContainsRune(k, 0) || strings.Contains(k, ".") && topLevel {
		return fmt.Errorf("Field name %q is not allowed", k)
	}
	if f.keys[k] {
		return fmt.Errorf("Field %q appears more than once", k)
	}
	f.keys[k] = true
	f.key = false
	return nil
}

// nest follows a token that is not a key: an opening delimiter pushes a
// frame (no deeper than MaxJSONDepth), a closing one pops it.
func nest(stack []*jsonFrame, top *jsonFrame, tok json.Token) ([]*jsonFrame, error) {
	switch tok {
	case json.Delim('{'), json.Delim('['):
		if len(stack) >= MaxJSONDepth {
			return nil, fmt.Errorf("The body is nested more than %d levels deep", MaxJSONDepth)
		}
		top.valueSeen()
		object := tok == json.Delim('{')
		return append(stack, &jsonFrame{object: object, keys: map[string]bool{}, key: object}), nil
	case json.Delim('}'), json.Delim(']'):
		return stack[:len(stack)-1], nil
	}
	top.valueSeen()
	return stack, nil
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or cut short"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return "it could not be read"
}
