package field

import (
	"errors"
	"fmt"
	"testing"
)

func TestSummary_ListsEachMessageOnceLinkedToItsFirstField(t *testing.T) {
	var e Errors
	e.Add("email", "Enter a correct e-mail address and password")
	e.Add("password", "Enter a correct e-mail address and password")
	e.Add("name", "Enter a name")
	got := e.Summary()
	if len(got) != 2 || got[0].Field != "email" || got[1].Field != "name" {
		t.Fatalf("summary %v", got)
	}
	if e.For("password") == "" || e.For("other") != "" {
		t.Fatalf("For: %q, %q", e.For("password"), e.For("other"))
	}
}

func TestErrors_AreAnErrorOnlyWhenThereAreSome(t *testing.T) {
	var none Errors
	if none.Err() != nil || none.Renamed(func(string) string { return "x" }) != nil {
		t.Fatal("no errors must be no error")
	}
	some := Errors{{Field: "outcome", Message: "Enter the outcome"}}
	var got Errors
	if err := fmt.Errorf("close contact: %w", some.Err()); !errors.As(err, &got) || got.For("outcome") == "" {
		t.Fatalf("wrapped errors not found: %v", err)
	}
	if r := some.Renamed(func(f string) string { return f + "-x" }); r[0].Field != "outcome-x" || some[0].Field != "outcome" {
		t.Fatalf("Renamed: %v, original %v", r, some)
	}
}
