package accounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestAdd_CreatesEnabledAccountKeyedByNormalisedEmail(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u, err := s.Add(ctx, ActorCLI, NewUser{
		Email: "  Jo.Bloggs@Example.NHS.uk ", Name: " Jo Bloggs ",
		Roles: []Role{RoleIntake, RoleAdmin, RoleIntake}, Password: testPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := User{
		Email: "jo.bloggs@example.nhs.uk", Name: "Jo Bloggs", Roles: []Role{RoleAdmin, RoleIntake},
		Enabled: true, Created: clock.Now(), Updated: clock.Now(),
	}
	got, err := s.Get(ctx, "JO.BLOGGS@example.nhs.uk")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []User{u, got} {
		if g.Email != want.Email || g.Name != want.Name || !slices.Equal(g.Roles, want.Roles) ||
			!g.Enabled || g.MustChangePassword || !g.Created.Equal(want.Created) {
			t.Errorf("account %+v, want %+v", g, want)
		}
	}
}

func TestAdd_StoresOnlyTheAccountFields(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	addUser(t, s, "jo@example.nhs.uk")
	var raw bson.M
	if err := s.users.FindOne(context.Background(), bson.D{}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"_id", "created", "enabled", "must_change_password", "name", "password", "roles", "updated"}
	if !slices.Equal(keys, want) {
		t.Fatalf("user document fields %v, want %v", keys, want)
	}
	if h := raw["password"].(string); !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, testPassword) {
		t.Fatalf("stored password %q is not an argon2id hash", h)
	}
}

func TestAdd_Refuses(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	addUser(t, s, "jo@example.nhs.uk")
	ok := NewUser{Email: "sam@example.nhs.uk", Name: "Sam", Roles: []Role{RoleIntake}, Password: testPassword}
	for _, tc := range []struct {
		name    string
		edit    func(*NewUser)
		wantIs  error
		wantMsg string
	}{
		{"duplicate e-mail in another case", func(u *NewUser) { u.Email = "JO@example.nhs.uk" }, ErrExists, "jo@example.nhs.uk"},
		{"unknown role", func(u *NewUser) { u.Roles = []Role{RoleQuality, "superuser"} }, ErrUnknownRole, `"superuser"`},
		{"no role", func(u *NewUser) { u.Roles = nil }, nil, "at least one role"},
		{"intake with quality", func(u *NewUser) { u.Roles = []Role{RoleIntake, RoleQuality} }, ErrRolesAcrossWall, "two accounts"},
		{"admin with quality", func(u *NewUser) { u.Roles = []Role{RoleAdmin, RoleQuality} }, ErrRolesAcrossWall, "two accounts"},
		{"invalid e-mail", func(u *NewUser) { u.Email = "Sam <sam@example.nhs.uk>" }, ErrInvalidEmail, "e-mail"},
		{"e-mail without domain", func(u *NewUser) { u.Email = "sam@" }, ErrInvalidEmail, "e-mail"},
		{"empty name", func(u *NewUser) { u.Name = "  " }, nil, "display name"},
		{"short password", func(u *NewUser) { u.Password = "short" }, ErrWeakPassword, "at least 12"},
		{"common password", func(u *NewUser) { u.Password = "Password1234!" }, ErrWeakPassword, "too common"},
	} {
		nu := ok
		tc.edit(&nu)
		_, err := s.Add(context.Background(), ActorCLI, nu)
		if err == nil || (tc.wantIs != nil && !errors.Is(err, tc.wantIs)) || !strings.Contains(err.Error(), tc.wantMsg) {
			t.Errorf("%s: Add = %v, want an error (is %v) saying %q", tc.name, err, tc.wantIs, tc.wantMsg)
		}
	}
	users, _ := s.List(context.Background())
	if len(users) != 1 {
		t.Fatalf("%d accounts after refused adds, want 1", len(users))
	}
}

func TestParseRole_NamesTheUnknownRoleAndTheKnownOnes(t *testing.T) {
	if r, err := ParseRole(" Quality "); r != RoleQuality || err != nil {
		t.Fatalf("ParseRole(Quality) = %q, %v", r, err)
	}
	_, err := ParseRole("dashboards")
	if !errors.Is(err, ErrUnknownRole) || !strings.Contains(err.Error(), `"dashboards"`) ||
		!strings.Contains(err.Error(), "admin, quality, moderator, intake, peer") {
		t.Fatalf("ParseRole(dashboards) = %v", err)
	}
}

func TestList_OrdersByEmail(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	for _, e := range []string{"zoe@example.nhs.uk", "amir@example.nhs.uk", "mo@example.nhs.uk"} {
		addUser(t, s, e)
	}
	users, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Email)
	}
	if want := []string{"amir@example.nhs.uk", "mo@example.nhs.uk", "zoe@example.nhs.uk"}; !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
}

func TestGet_UnknownEmailIsNotFound(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	if _, err := s.Get(context.Background(), "nobody@example.nhs.uk"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(unknown) = %v, want ErrNotFound", err)
	}
}

func TestSetEnabled_DisablingEndsSessionsAndBlocksSignIn(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u := addUser(t, s, "jo@example.nhs.uk")
	sess, _ := s.CreateSession(ctx, u)

	if err := s.SetEnabled(ctx, ActorCLI, u.Email, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupSession(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session of a disabled account: %v, want ErrNoSession", err)
	}
	if n, _ := s.session.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Fatalf("%d sessions left after disabling, want 0", n)
	}
	if _, err := s.Authenticate(ctx, u.Email, testPassword); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("Authenticate(disabled) = %v, want ErrInvalidCredentials", err)
	}
	if err := s.SetEnabled(ctx, ActorCLI, u.Email, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, u.Email, testPassword); err != nil {
		t.Fatalf("Authenticate after re-enabling: %v", err)
	}
}

func TestSetEnabled_RefusesToDisableTheLastAdmin(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "boss@example.nhs.uk", RoleAdmin)
	if err := s.SetEnabled(ctx, ActorCLI, "boss@example.nhs.uk", false); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("disable last admin: %v, want ErrLastAdmin", err)
	}
	addUser(t, s, "deputy@example.nhs.uk", RoleAdmin, RoleIntake)
	if err := s.SetEnabled(ctx, ActorCLI, "boss@example.nhs.uk", false); err != nil {
		t.Fatalf("disable one of two admins: %v", err)
	}
}

func TestSetPassword_ReplacesPasswordAndEndsSessions(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u := addUser(t, s, "jo@example.nhs.uk")
	sess, _ := s.CreateSession(ctx, u)

	if err := s.SetPassword(ctx, ActorCLI, u.Email, "short", false); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("SetPassword(short) = %v, want ErrWeakPassword", err)
	}
	otp := GeneratePassword()
	if err := s.SetPassword(ctx, ActorCLI, u.Email, otp, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupSession(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session after a password reset: %v, want ErrNoSession", err)
	}
	if _, err := s.Authenticate(ctx, u.Email, testPassword); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("old password still works: %v", err)
	}
	got, err := s.Authenticate(ctx, u.Email, otp)
	if err != nil || !got.MustChangePassword {
		t.Fatalf("one-time password: %+v, %v; want accepted with must-change set", got, err)
	}
}

func TestChangePassword_NeedsTheCurrentPasswordAndClearsMustChange(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u := addUser(t, s, "jo@example.nhs.uk")
	otp := GeneratePassword()
	if err := s.SetPassword(ctx, ActorCLI, u.Email, otp, true); err != nil {
		t.Fatal(err)
	}
	const next = "violet-harbour-kettle-7"
	if err := s.ChangePassword(ctx, u.Email, "wrong-guess-entirely", next); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("ChangePassword with a wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, u.Email, otp, "password1234"); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("ChangePassword to a common password: %v", err)
	}
	if err := s.ChangePassword(ctx, u.Email, otp, next); err != nil {
		t.Fatal(err)
	}
	got, err := s.Authenticate(ctx, u.Email, next)
	if err != nil || got.MustChangePassword {
		t.Fatalf("after changing: %+v, %v; want signed in without must-change", got, err)
	}
}
