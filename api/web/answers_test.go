package web

import (
	"errors"
	"fmt"
	"testing"

	"github.com/feedback-service/feedback/field"
)

var (
	errClosed  = errors.New("closed")
	errInvalid = errors.New("invalid range")
)

// A form is shown again for field errors and for the handler's refusals,
// beside their fields or as a notice; any other error goes on to HandleError.
func TestShowAgain_FieldErrorsAndRefusalsShowTheFormOthersPassOn(t *testing.T) {
	refusals := Answers{
		{Is: errClosed, Status: 409, Message: "Already closed."},
		{Is: errInvalid, Status: 422, Field: "from to", Explain: func(err error) string { return "Bad: " + Detail(err, errInvalid) }},
	}
	var got Again
	show := func(a Again) error { got = a; return nil }

	if err := ShowAgain(fmt.Errorf("close: %w", field.Errors{{Field: "outcome", Message: "Enter the outcome"}}), refusals, show); err != nil ||
		got.Status != 422 || got.Problems.For("outcome") != "Enter the outcome" || got.Notice != "" {
		t.Errorf("field errors: %v %+v", err, got)
	}
	got = Again{}
	if err := ShowAgain(fmt.Errorf("close: %w", errClosed), refusals, show); err != nil || got.Status != 409 || got.Notice != "Already closed." || got.Problems != nil {
		t.Errorf("a refusal as a notice: %v %+v", err, got)
	}
	got = Again{}
	if err := ShowAgain(fmt.Errorf("read: %w: %s", errInvalid, "13 months"), refusals, show); err != nil ||
		got.Problems.For("from") != "Bad: 13 months" || got.Problems.For("to") != "Bad: 13 months" || got.Notice != "" {
		t.Errorf("a refusal beside two fields: %v %+v", err, got)
	}
	got = Again{}
	other := errors.New("store down")
	if err := ShowAgain(other, refusals, show); err != other || got.Status != 0 {
		t.Errorf("another error: %v %+v", err, got)
	}
}
