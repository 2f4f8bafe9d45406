package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The privacy wall applied to people: [CheckWall] refuses new role sets that
// cross it; this file finds accounts made before the rule, and mends them.

// AcrossWall returns every account, enabled or not, whose roles cross the wall
// (intake or admin together with quality), ordered by e-mail. They were made
// before the rule existed; start-up lists them rather than locking anyone out.
func (s *Store) AcrossWall(ctx context.Context) ([]User, error) {
	users, err := s.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("find accounts across the wall: %w", err)
	}
	return slices.DeleteFunc(users, func(u User) bool { return CheckWall(u.Roles) == nil }), nil
}

// AcrossWallAdvice words, for the console or the log at start-up, which
// accounts cross the wall and what to do; it is empty when users is empty.
func AcrossWallAdvice(users []User) string {
	if len(users) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d staff account(s) see callers' records (intake, peer or admin) and dashboards (quality), "+
		"which lets one person see both who was texted and the survey figures:\n", len(users))
	for _, u := range users {
		fmt.Fprintf(&b, "  %s (%s)\n", u.Email, joinRoles(u.Roles))
	}
	b.WriteString("They can still sign in. For each, keep one side on this account, e.g.\n" +
		"  feedback users roles EMAIL --role intake      (or --role admin, or --role quality)\n" +
		"and, if the person needs the other side too, give them a second account with its own e-mail address:\n" +
		"  feedback users add --email OTHER-EMAIL --name NAME --role quality\n")
	return b.String()
}

// SetRoles replaces an account's roles, checked as for a new account (the wall
// included), and ends its sessions so the new roles apply at once. Taking admin
// from the last enabled admin is refused.
func (s *Store) SetRoles(ctx context.Context, actor, email string, roles []Role) error {
	d, err := s.getDoc(ctx, email)
	if err != nil {
		return err
	}
	roles, err = normaliseRoles(roles)
	if err != nil {
		return fmt.Errorf("roles for %s: %w", d.Email, err)
	}
	if d.Enabled && slices.Contains(d.Roles, RoleAdmin) && !slices.Contains(roles, RoleAdmin) {
		n, err := s.users.CountDocuments(ctx, enabledAdmins())
		if err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		if n <= 1 {
			return fmt.Errorf("take admin from %s: %w", d.Email, ErrLastAdmin)
		}
	}
	if err := s.update(ctx, d.Email, bson.D{{Key: "roles", Value: roles}}); err != nil {
		return err
	}
	if err := s.DeleteSessionsFor(ctx, d.Email); err != nil {
		return err
	}
	return s.audit(ctx, actor, ActionRolesSet, d.Email, joinRoles(roles))
}

func joinRoles(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
