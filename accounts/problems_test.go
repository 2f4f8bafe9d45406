package accounts

import (
	"fmt"
	"testing"
)

func TestParseNewUser_ListsEveryMissingDetailByField(t *testing.T) {
	_, problems := ParseNewUser("  ", "", nil)
	for _, f := range []string{"email", "name", "role"} {
		if problems.For(f) == "" {
			t.Errorf("no problem for %s in %v", f, problems)
		}
	}
	nu, problems := ParseNewUser(" ann@example.org ", " Ann ", []string{"Admin", "quality"})
	if problems != nil || nu.Email != "ann@example.org" || nu.Name != "Ann" || len(nu.Roles) != 2 || nu.Roles[0] != RoleAdmin {
		t.Fatalf("good details: %+v, %v", nu, problems)
	}
	if _, problems := ParseNewUser("a@example.org", "A", []string{"owner"}); problems.For("role") != "Select roles from the list" {
		t.Fatalf("unknown role: %v", problems)
	}
}

func TestProblem_WordsRefusalsAsTheFieldTheyConcern(t *testing.T) {
	cases := []struct {
		err   error
		field string
	}{
		{fmt.Errorf("add a@b: %w", ErrExists), "email"},
		{ErrInvalidEmail, "email"},
		{fmt.Errorf("display name: %w", ErrInvalidName), "name"},
		{fmt.Errorf("%w %q", ErrUnknownRole, "owner"), "role"},
		{CheckPassword("short", ""), "password"},
	}
	for _, c := range cases {
		p, ok := Problem(c.err)
		if !ok || p.Field != c.field || p.Message == "" {
			t.Errorf("%v: %+v, %v; want a problem with %s", c.err, p, ok, c.field)
		}
	}
	want := fmt.Sprintf("Choose a different password: use at least %d characters (this one has 5)", MinPasswordLength)
	if p, _ := Problem(CheckPassword("short", "")); p.Message != want {
		t.Errorf("weak password worded %q", p.Message)
	}
	if _, ok := Problem(ErrInvalidCredentials); ok {
		t.Error("a wrong password is worded by each form, not here")
	}
}
