package accounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestCheckWall_RefusesRecordsWithDashboardAccess(t *testing.T) {
	for _, tc := range []struct {
		roles []Role
		ok    bool
	}{
		{[]Role{RoleIntake}, true},
		{[]Role{RoleQuality}, true},
		{[]Role{RoleAdmin}, true},
		{[]Role{RoleAdmin, RoleIntake}, true},
		{[]Role{RoleIntake, RoleQuality}, false},
		{[]Role{RoleAdmin, RoleQuality}, false},
		{[]Role{RoleAdmin, RoleQuality, RoleIntake}, false},
		{[]Role{RolePeer}, true},
		{[]Role{RolePeer, RoleIntake}, true},
		{[]Role{RolePeer, RoleQuality}, false},
		{[]Role{RoleAdmin, RolePeer}, true},
		{[]Role{RoleModerator}, true},
		{[]Role{RoleModerator, RoleIntake}, false},
		{[]Role{RoleModerator, RoleAdmin}, false},
		{[]Role{RoleModerator, RolePeer}, false},
	} {
		err := CheckWall(tc.roles)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrRolesAcrossWall)) {
			t.Errorf("CheckWall(%v) = %v, want ok %v", tc.roles, err, tc.ok)
		}
	}
}

func TestCheckWall_ModeratorIsNoQualityLead(t *testing.T) {
	err := CheckWall([]Role{RoleQuality, RoleModerator})
	if !errors.Is(err, ErrModeratorWithQuality) || !strings.Contains(err.Error(), "two accounts") {
		t.Fatalf("CheckWall(quality, moderator) = %v, want ErrModeratorWithQuality", err)
	}
	if p, ok := Problem(err); !ok || p.Field != "role" || !strings.Contains(p.Message, "Moderator cannot be combined with quality") {
		t.Fatalf("Problem = %+v, %v", p, ok)
	}
}

// crossWall stores roles that break the rule, as an account made before it existed.
func crossWall(t *testing.T, s *Store, email string, roles ...Role) {
	t.Helper()
	addUser(t, s, email, RoleQuality)
	if _, err := s.users.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: email}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "roles", Value: roles}}}}); err != nil {
		t.Fatal(err)
	}
}

func TestAcrossWall_ListsOnlyAccountsHoldingRecordsAndDashboards(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "admin@example.nhs.uk", RoleAdmin, RoleIntake)
	crossWall(t, s, "boss@example.nhs.uk", RoleAdmin, RoleQuality)
	addUser(t, s, "handler@example.nhs.uk", RoleIntake)
	crossWall(t, s, "both@example.nhs.uk", RoleQuality, RoleIntake)
	crossWall(t, s, "all@example.nhs.uk", RoleAdmin, RoleQuality, RoleIntake)
	check(t, s.SetEnabled(ctx, ActorCLI, "all@example.nhs.uk", false))

	got, err := s.AcrossWall(ctx)
	check(t, err)
	var emails []string
	for _, u := range got {
		emails = append(emails, u.Email)
	}
	if want := []string{"all@example.nhs.uk", "boss@example.nhs.uk", "both@example.nhs.uk"}; !slices.Equal(emails, want) {
		t.Fatalf("AcrossWall = %v, want %v (disabled accounts too)", emails, want)
	}
	advice := AcrossWallAdvice(got)
	for _, want := range []string{"both@example.nhs.uk (quality, intake)", "boss@example.nhs.uk (admin, quality)", "all@example.nhs.uk (admin, quality, intake)",
		"feedback users roles", "second account"} {
		if !strings.Contains(advice, want) {
			t.Errorf("advice does not say %q:\n%s", want, advice)
		}
	}
	if AcrossWallAdvice(nil) != "" {
		t.Error("advice given when no account crosses the wall")
	}
	// Nobody is locked out: the account still signs in.
	if _, err := s.Authenticate(ctx, "both@example.nhs.uk", testPassword); err != nil {
		t.Fatalf("an account across the wall cannot sign in: %v", err)
	}
}

func TestSetRoles_MendsAnAccountAcrossTheWallAndEndsItsSessions(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	crossWall(t, s, "both@example.nhs.uk", RoleQuality, RoleIntake)
	u, _ := s.Get(ctx, "both@example.nhs.uk")
	sess, _ := s.CreateSession(ctx, u)

	err := s.SetRoles(ctx, ActorCLI, "both@example.nhs.uk", []Role{RoleAdmin, RoleQuality})
	if !errors.Is(err, ErrRolesAcrossWall) {
		t.Fatalf("SetRoles across the wall = %v, want ErrRolesAcrossWall", err)
	}
	check(t, s.SetRoles(ctx, "boss@example.nhs.uk", "Both@example.nhs.uk", []Role{RoleIntake}))
	if u, _ := s.Get(ctx, "both@example.nhs.uk"); !slices.Equal(u.Roles, []Role{RoleIntake}) {
		t.Fatalf("roles now %v, want intake only", u.Roles)
	}
	if _, err := s.LookupSession(ctx, sess.ID); err == nil {
		t.Error("the session made with the old roles still works")
	}
	if left, _ := s.AcrossWall(ctx); len(left) != 0 {
		t.Errorf("still across the wall: %v", left)
	}
	if got := auditActions(t, s); got[0] != ActionRolesSet {
		t.Errorf("audit log %v, want roles set first", got)
	}
}

func TestSetRoles_KeepsTheLastAdmin(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	addUser(t, s, "boss@example.nhs.uk", RoleAdmin)
	err := s.SetRoles(context.Background(), ActorCLI, "boss@example.nhs.uk", []Role{RoleQuality})
	if !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("SetRoles on the last admin = %v, want ErrLastAdmin", err)
	}
}

func TestEnsureAdmin_RestoringAQualityAccountDropsQuality(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "it@example.nhs.uk", RoleQuality)
	if _, created, err := s.EnsureAdmin(ctx, "it@example.nhs.uk"); err != nil || !created {
		t.Fatalf("EnsureAdmin = %v, %v", created, err)
	}
	if u, _ := s.Get(ctx, "it@example.nhs.uk"); !slices.Equal(u.Roles, []Role{RoleAdmin}) {
		t.Fatalf("restored roles %v, want admin only", u.Roles)
	}
}
