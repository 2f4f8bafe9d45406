package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/store/storetest"
)

func TestUsersAdd_RefusesRecordsWithDashboardAccess(t *testing.T) {
	st := storetest.New(t)
	for _, roles := range [][]string{{"intake", "quality"}, {"admin", "quality"}, {"intake", "admin", "quality"}} {
		args := []string{"add", "--email", "jo@example.nhs.uk", "--name", "Jo"}
		for _, r := range roles {
			args = append(args, "--role", r)
		}
		_, _, err := runUsersCmd(t, st, "", args...)
		if !errors.Is(err, accounts.ErrRolesAcrossWall) || !strings.Contains(err.Error(), "give this person two accounts") {
			t.Errorf("users add %v: %v, want the wall's refusal", roles, err)
		}
	}
	if users, _ := accountsOf(t, st).List(context.Background()); len(users) != 0 {
		t.Fatalf("%d accounts after refused adds, want none", len(users))
	}
}

func TestUsersRoles_ReplacesRolesAndRefusesTheWall(t *testing.T) {
	st := storetest.New(t)
	mustRunUsers(t, st, "", "add", "--email", "jo@example.nhs.uk", "--name", "Jo", "--role", "quality")
	if _, _, err := runUsersCmd(t, st, "", "roles", "jo@example.nhs.uk", "--role", "quality", "--role", "intake"); !errors.Is(err, accounts.ErrRolesAcrossWall) {
		t.Fatalf("users roles across the wall: %v", err)
	}
	out := mustRunUsers(t, st, "", "roles", "--role", "intake", "Jo@example.nhs.uk")
	if !strings.Contains(out, "jo@example.nhs.uk now has intake") {
		t.Fatalf("output %q", out)
	}
	u, err := accountsOf(t, st).Get(context.Background(), "jo@example.nhs.uk")
	if err != nil || !slices.Equal(u.Roles, []accounts.Role{accounts.RoleIntake}) {
		t.Fatalf("account %+v, %v", u, err)
	}
	if _, _, err := runUsersCmd(t, st, "", "roles", "jo@example.nhs.uk"); err == nil || !strings.Contains(err.Error(), "--role is required") {
		t.Fatalf("users roles without a role: %v", err)
	}
}

func TestUsersHelp_NamesEveryRoleAndTheRules(t *testing.T) {
	_, help, err := runUsersCmd(t, storetest.New(t), "", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range accounts.Roles {
		if !strings.Contains(help, string(r)) {
			t.Errorf("users --help does not name the role %s:\n%s", r, help)
		}
	}
	if !strings.Contains(help, "moderator cannot be combined with quality") {
		t.Errorf("users --help does not say moderator and quality do not go together:\n%s", help)
	}
}

func TestUsersAdd_ModeratorNeitherWithQualityNorAcrossTheWall(t *testing.T) {
	st := storetest.New(t)
	for _, other := range []string{"quality", "intake", "admin", "peer"} {
		_, _, err := runUsersCmd(t, st, "", "add", "--email", "mo@example.nhs.uk", "--name", "Mo", "--role", "moderator", "--role", other)
		if !errors.Is(err, accounts.ErrRolesAcrossWall) && !errors.Is(err, accounts.ErrModeratorWithQuality) {
			t.Errorf("users add moderator with %s: %v, want a refusal", other, err)
		}
	}
	out := mustRunUsers(t, st, "", "add", "--email", "mo@example.nhs.uk", "--name", "Mo", "--role", "moderator")
	if !strings.Contains(out, "moderator") {
		t.Fatalf("output %q", out)
	}
}
