package accounts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Role is what a staff member may do. A person may hold several.
type Role string

// The roles staff can hold.
const (
	// RoleAdmin manages accounts and practitioners.
	RoleAdmin Role = "admin"
	// RoleQuality reads dashboards, comments and exports.
	RoleQuality Role = "quality"
	// RoleIntake uses the intake module (call handlers).
	RoleIntake Role = "intake"
	// RolePeer is a peer-support doctor: sees only their own callers' records
	// and records their own conversations.
	RolePeer Role = "peer"
)

// Roles lists every role, in the order they are shown.
var Roles = []Role{RoleAdmin, RoleQuality, RoleIntake, RolePeer}

// ErrUnknownRole is wrapped by errors that name a role the service does not have.
var ErrUnknownRole = errors.New("unknown role")

// ErrRolesAcrossWall refuses an account that would hold intake together with
// dashboard access: one person must not see both who was texted and the figures.
var ErrRolesAcrossWall = errors.New("an account with intake access cannot also see dashboards (quality or admin): " +
	"give this person two accounts, one with intake only and one with quality or admin, each with its own e-mail address")

// dashboardRoles are the roles that see survey figures; see [CheckWall].
var dashboardRoles = []Role{RoleQuality, RoleAdmin}

// identityRoles are the roles that see callers' records: call handlers, and
// peer supporters (their own callers).
var identityRoles = []Role{RoleIntake, RolePeer}

// CheckWall enforces the privacy wall on people: an account holding intake or
// peer (identities of people texted) may hold no role that sees dashboards.
// Admins keep account and practitioner management, which need no intake role.
func CheckWall(roles []Role) error {
	for _, id := range identityRoles {
		if !slices.Contains(roles, id) {
			continue
		}
		for _, r := range dashboardRoles {
			if slices.Contains(roles, r) {
				return fmt.Errorf("roles %s and %s: %w", id, r, ErrRolesAcrossWall)
			}
		}
	}
	return nil
}

// ParseRole returns the role named s (case and surrounding spaces ignored), or an
// error naming s and the roles that exist.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Roles, r) {
		return r, nil
	}
	return "", fmt.Errorf("%w %q: want one of %s", ErrUnknownRole, s, roleNames())
}

// normaliseRoles checks every role, drops repeats and sorts them in [Roles] order.
// A person needs at least one role, and the set must keep [CheckWall].
func normaliseRoles(roles []Role) ([]Role, error) {
	if len(roles) == 0 {
		return nil, fmt.Errorf("at least one role is needed: %s", roleNames())
	}
	var out []Role
	for _, want := range Roles {
		if slices.Contains(roles, want) {
			out = append(out, want)
		}
	}
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			return nil, fmt.Errorf("%w %q: want one of %s", ErrUnknownRole, string(r), roleNames())
		}
	}
	if err := CheckWall(out); err != nil {
		return nil, err
	}
	return out, nil
}

func roleNames() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
