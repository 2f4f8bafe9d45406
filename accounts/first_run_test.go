package accounts

import (
	"context"
	"errors"
	"testing"
)

func TestEnsureAdmin_CreatesAOneTimeAdminOnlyOnce(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	creds, created, err := s.EnsureAdmin(ctx, "")
	if err != nil || !created || creds.Email != DefaultAdminEmail || len(creds.Password) < MinPasswordLength {
		t.Fatalf("first run: %+v, created %v, %v", creds, created, err)
	}
	u, err := s.Authenticate(ctx, creds.Email, creds.Password)
	if err != nil || !u.Has(RoleAdmin) || !u.MustChangePassword {
		t.Fatalf("first-run admin %+v, %v: want an admin who must change the password", u, err)
	}
	again, created, err := s.EnsureAdmin(ctx, "")
	if err != nil || created || again != (Credentials{}) {
		t.Fatalf("second run: %+v, created %v, %v; want nothing done", again, created, err)
	}
	users, _ := s.List(ctx)
	if len(users) != 1 {
		t.Fatalf("%d accounts, want 1", len(users))
	}
	if got := auditActions(t, s); got[0] != ActionAdminCreated || got[0] == "" {
		t.Fatalf("audit log %v, want admin_created", got)
	}
}

func TestEnsureAdmin_DoesNothingWhenAnAdminExists(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	addUser(t, s, "boss@example.nhs.uk", RoleAdmin)
	if _, created, err := s.EnsureAdmin(context.Background(), "it@example.nhs.uk"); created || err != nil {
		t.Fatalf("created %v, %v; want nothing done", created, err)
	}
}

func TestEnsureAdmin_RestoresADisabledAdminAddress(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "it@example.nhs.uk", RoleAdmin)
	addUser(t, s, "boss@example.nhs.uk", RoleAdmin)
	check(t, s.SetEnabled(ctx, ActorCLI, "it@example.nhs.uk", false))
	// Disabled behind the last-admin guard, as a database edit would.
	_, err := s.users.UpdateMany(ctx, enabledAdmins(), map[string]any{"$set": map[string]any{"enabled": false}})
	check(t, err)

	creds, created, err := s.EnsureAdmin(ctx, "IT@example.nhs.uk")
	if err != nil || !created || creds.Email != "it@example.nhs.uk" {
		t.Fatalf("EnsureAdmin = %+v, %v, %v", creds, created, err)
	}
	if _, err := s.Authenticate(ctx, creds.Email, testPassword); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatal("the old password still works after a restore")
	}
	u, err := s.Authenticate(ctx, creds.Email, creds.Password)
	if err != nil || !u.Enabled || !u.Has(RoleAdmin) || !u.MustChangePassword {
		t.Fatalf("restored admin %+v, %v", u, err)
	}
}
