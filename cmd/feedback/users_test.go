package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

// runUsersCmd runs "feedback users ARGS" with stdin and returns stdout and stderr.
func runUsersCmd(t *testing.T, st *store.Store, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runUsers(context.Background(), st, args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustRunUsers(t *testing.T, st *store.Store, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := runUsersCmd(t, st, stdin, args...)
	if err != nil {
		t.Fatalf("users %v: %v\n%s", args, err, errOut)
	}
	return out
}

func accountsOf(t *testing.T, st *store.Store) *accounts.Store {
	t.Helper()
	acc, err := accounts.New(st, accounts.Config{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

var oneTimePassword = regexp.MustCompile(`(?m)^  ([a-z0-9]{5}(-[a-z0-9]{5}){3})$`)

func TestUsersAdd_ReadsThePasswordFromStandardInput(t *testing.T) {
	st := storetest.New(t)
	out := mustRunUsers(t, st, "violet-harbour-kettle-7\n",
		"add", "--email", "Jo@Example.NHS.uk", "--name", "Jo Bloggs", "--role", "intake", "--role", "admin")
	if !strings.Contains(out, "Added jo@example.nhs.uk (admin, intake)") || oneTimePassword.MatchString(out) {
		t.Fatalf("output %q", out)
	}
	u, err := accountsOf(t, st).Authenticate(context.Background(), "jo@example.nhs.uk", "violet-harbour-kettle-7")
	if err != nil || u.MustChangePassword || !u.Has(accounts.RoleIntake) {
		t.Fatalf("added account %+v, %v", u, err)
	}
}

func TestUsersAdd_GeneratesAOneTimePasswordWhenNoneIsGiven(t *testing.T) {
	for name, tc := range map[string]struct {
		stdin string
		extra []string
	}{
		"empty standard input": {"", nil},
		"--generate":           {"violet-harbour-kettle-7\n", []string{"--generate"}},
	} {
		t.Run(name, func(t *testing.T) {
			st := storetest.New(t)
			args := append([]string{"add", "--email", "sam@example.nhs.uk", "--name", "Sam", "--role", "admin"}, tc.extra...)
			out := mustRunUsers(t, st, tc.stdin, args...)
			m := oneTimePassword.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no one-time password printed: %q", out)
			}
			u, err := accountsOf(t, st).Authenticate(context.Background(), "sam@example.nhs.uk", m[1])
			if err != nil || !u.MustChangePassword {
				t.Fatalf("signing in with the printed password: %+v, %v; want must-change", u, err)
			}
		})
	}
}

func TestUsersAdd_Refuses(t *testing.T) {
	st := storetest.New(t)
	mustRunUsers(t, st, "violet-harbour-kettle-7", "add", "--email", "jo@example.nhs.uk", "--name", "Jo", "--role", "quality")
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"duplicate", "", []string{"--email", "JO@example.nhs.uk", "--name", "Jo", "--role", "quality"}, "jo@example.nhs.uk: account already exists"},
		{"unknown role", "", []string{"--email", "x@example.nhs.uk", "--name", "X", "--role", "dashboards"}, `unknown role "dashboards"`},
		{"no role", "", []string{"--email", "x@example.nhs.uk", "--name", "X"}, "--role is required"},
		{"no e-mail", "", []string{"--name", "X", "--role", "intake"}, "--email is required"},
		{"no name", "", []string{"--email", "x@example.nhs.uk", "--role", "intake"}, "--name is required"},
		{"bad e-mail", "", []string{"--email", "x at nhs", "--name", "X", "--role", "intake"}, "not a valid e-mail address"},
		{"weak password", "password1234\n", []string{"--email", "x@example.nhs.uk", "--name", "X", "--role", "intake"}, "too common"},
		{"two lines", "one-password-here\nanother-one-here\n", []string{"--email", "x@example.nhs.uk", "--name", "X", "--role", "intake"}, "more than one line"},
	} {
		_, _, err := runUsersCmd(t, st, tc.stdin, append([]string{"add"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	users, _ := accountsOf(t, st).List(context.Background())
	if len(users) != 1 {
		t.Fatalf("%d accounts after refused adds, want 1", len(users))
	}
}

func TestUsersList_ShowsEveryAccountWithRolesAndStatus(t *testing.T) {
	st := storetest.New(t)
	mustRunUsers(t, st, "violet-harbour-kettle-7", "add", "--email", "zoe@example.nhs.uk", "--name", "Zoe", "--role", "intake")
	mustRunUsers(t, st, "", "add", "--email", "amir@example.nhs.uk", "--name", "Amir Khan", "--role", "admin", "--role", "intake")
	mustRunUsers(t, st, "", "disable", "zoe@example.nhs.uk")
	out := mustRunUsers(t, st, "", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "EMAIL") {
		t.Fatalf("list output:\n%s", out)
	}
	for i, want := range []string{`amir@example\.nhs\.uk\s+Amir Khan\s+admin, intake\s+enabled, must change password`,
		`zoe@example\.nhs\.uk\s+Zoe\s+intake\s+disabled\s`} {
		if !regexp.MustCompile(want).MatchString(lines[i+1]) {
			t.Errorf("line %q does not match %s", lines[i+1], want)
		}
	}
}

func TestUsersDisableAndEnable(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	mustRunUsers(t, st, "violet-harbour-kettle-7", "add", "--email", "jo@example.nhs.uk", "--name", "Jo", "--role", "quality")
	if out := mustRunUsers(t, st, "", "disable", "JO@example.nhs.uk"); out != "Disabled jo@example.nhs.uk.\n" {
		t.Fatalf("disable said %q", out)
	}
	if _, err := accountsOf(t, st).Authenticate(ctx, "jo@example.nhs.uk", "violet-harbour-kettle-7"); !errors.Is(err, accounts.ErrInvalidCredentials) {
		t.Fatalf("disabled account signs in: %v", err)
	}
	mustRunUsers(t, st, "", "enable", "jo@example.nhs.uk")
	if _, err := accountsOf(t, st).Authenticate(ctx, "jo@example.nhs.uk", "violet-harbour-kettle-7"); err != nil {
		t.Fatalf("re-enabled account: %v", err)
	}
	if _, _, err := runUsersCmd(t, st, "", "disable", "nobody@example.nhs.uk"); !errors.Is(err, accounts.ErrNotFound) {
		t.Fatalf("disable unknown: %v, want ErrNotFound", err)
	}
	if _, _, err := runUsersCmd(t, st, "", "enable"); err == nil || !strings.Contains(err.Error(), "give one e-mail address") {
		t.Fatalf("enable without an address: %v", err)
	}
}

func TestUsersPassword_SetsFromStandardInputOrGenerates(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	mustRunUsers(t, st, "violet-harbour-kettle-7", "add", "--email", "jo@example.nhs.uk", "--name", "Jo", "--role", "quality")

	mustRunUsers(t, st, "amber-signal-meadow-19\r\n", "password", "jo@example.nhs.uk")
	if u, err := accountsOf(t, st).Authenticate(ctx, "jo@example.nhs.uk", "amber-signal-meadow-19"); err != nil || u.MustChangePassword {
		t.Fatalf("password from stdin: %+v, %v", u, err)
	}
	out := mustRunUsers(t, st, "ignored-because-generate", "password", "jo@example.nhs.uk", "--generate")
	m := oneTimePassword.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no one-time password printed: %q", out)
	}
	if u, err := accountsOf(t, st).Authenticate(ctx, "jo@example.nhs.uk", m[1]); err != nil || !u.MustChangePassword {
		t.Fatalf("generated password: %+v, %v", u, err)
	}
	if _, _, err := runUsersCmd(t, st, "short\n", "password", "jo@example.nhs.uk"); !errors.Is(err, accounts.ErrWeakPassword) {
		t.Fatalf("short password: %v, want ErrWeakPassword", err)
	}
}

func TestUsers_AuditsEveryChangeAsCLI(t *testing.T) {
	st := storetest.New(t)
	mustRunUsers(t, st, "violet-harbour-kettle-7", "add", "--email", "jo@example.nhs.uk", "--name", "Jo", "--role", "quality")
	mustRunUsers(t, st, "", "disable", "jo@example.nhs.uk")
	mustRunUsers(t, st, "", "enable", "jo@example.nhs.uk")
	mustRunUsers(t, st, "", "password", "jo@example.nhs.uk")
	page, err := accountsOf(t, st).ReadAudit(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []accounts.Action{accounts.ActionPasswordSet, accounts.ActionUserEnabled, accounts.ActionUserDisabled, accounts.ActionUserAdded}
	if len(page.Entries) != len(want) {
		t.Fatalf("%d audit entries, want %d", len(page.Entries), len(want))
	}
	for i, e := range page.Entries {
		if e.Action != want[i] || e.Actor != accounts.ActorCLI || e.Target != "jo@example.nhs.uk" {
			t.Errorf("audit entry %d: %+v, want %s by cli on jo@example.nhs.uk", i, e, want[i])
		}
	}
}

func TestUsers_UnknownOrMissingCommandShowsUsage(t *testing.T) {
	st := storetest.New(t)
	for _, args := range [][]string{nil, {"remove", "jo@example.nhs.uk"}} {
		_, errOut, err := runUsersCmd(t, st, "", args...)
		if err == nil || !strings.Contains(errOut, "usage:") {
			t.Errorf("users %v: err %v, stderr %q; want an error and the usage", args, err, errOut)
		}
	}
}

// Issue 32.9: one truth about roles. `users --help`, the README's staff
// accounts section (docs/staff.md) and the admin screen (api/staff) all show the roles from
// accounts.Roles, each with its description, and the one rule on holding them
// together.
func TestUsersHelp_TheRolesAgreeWithAccountsAndTheReadme(t *testing.T) {
	_, help, err := runUsersCmd(t, storetest.New(t), "", "--help")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../docs/staff.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## Staff accounts\n")
	section, _, _ = strings.Cut(section, "\n## ")
	if !strings.Contains(help, accounts.WallRule()) || !strings.Contains(section, accounts.WallRule()) {
		t.Errorf("the wall rule %q is missing from the help or the README:\n%s", accounts.WallRule(), help)
	}
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			rows++
		}
	}
	if rows != len(accounts.Roles) {
		t.Errorf("README lists %d roles, accounts has %d", rows, len(accounts.Roles))
	}
	for _, r := range accounts.Roles {
		if !strings.Contains(help, string(r)+" ") || !strings.Contains(help, r.Description()) {
			t.Errorf("users --help lacks role %s: %s", r, r.Description())
		}
		if !strings.Contains(section, "| `"+string(r)+"` | "+r.Description()+" |") {
			t.Errorf("README lacks the row for role %s", r)
		}
	}
}
