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
	// RoleAdmin manages accounts and practitioners and answers subject-access
	// and erasure requests: it sees who is on record, so it sees no figures.
	RoleAdmin Role = "admin"
	// RoleQuality reads dashboards, comments and exports, and nothing else.
	RoleQuality Role = "quality"
	// RoleIntake uses the intake module (call handlers).
	RoleIntake Role = "intake"
	// RolePeer is a peer-support doctor: sees only their own callers' records
	// and records their own conversations.
	RolePeer Role = "peer"
	// RoleModerator reads the released comments the check at submission was
	// unsure of, before quality leads may, and approves or redacts each. It
	// sees no figures and no other comment.
	RoleModerator Role = "moderator"
)

// Roles lists every role, in the order they are shown.
var Roles = []Role{RoleAdmin, RoleQuality, RoleModerator, RoleIntake, RolePeer}

// ErrUnknownRole is wrapped by errors that name a role the service does not have.
var ErrUnknownRole = errors.New("unknown role")

// ErrRolesAcrossWall refuses an account that would see both sides of the
// privacy wall: who is on record (intake, peer, admin) and the survey figures (quality).
var ErrRolesAcrossWall = errors.New("an account that sees callers' records (intake, peer or admin) cannot also see dashboards (quality) or comments (moderator): " +
	"give this person two accounts, one for each side, each with its own e-mail address")

// ErrModeratorWithQuality refuses an account that would both moderate comments
// and read the dashboards: a moderator reads comments that may still name
// their writer, which quality leads must never read.
var ErrModeratorWithQuality = errors.New("an account that moderates comments (moderator) cannot also read the dashboards (quality): " +
	"a moderator reads comments that may still name their writer, which quality leads never see; give this person two accounts, each with its own e-mail address")

// The two sides of the wall, for [CheckWall]. Peer supporters see their own
// callers; admins are on the records side too: they answer subject-access and
// erasure requests and handle patient-safety concerns, which show who was texted.
// Quality leads and moderators read what was answered.
var (
	recordRoles = []Role{RoleIntake, RolePeer, RoleAdmin}
	answerRoles = []Role{RoleQuality, RoleModerator}
)

// CheckWall enforces the privacy wall on people: an account holding a role
// that sees identities of people on record may hold no role that reads
// answers (dashboards, comments), so one person never sees both who was
// texted and what was answered. A moderator is not a quality lead as well.
func CheckWall(roles []Role) error {
	if slices.Contains(roles, RoleModerator) && slices.Contains(roles, RoleQuality) {
		return fmt.Errorf("roles %s and %s: %w", RoleModerator, RoleQuality, ErrModeratorWithQuality)
	}
	for _, d := range answerRoles {
		if !slices.Contains(roles, d) {
			continue
		}
		for _, r := range recordRoles {
			if slices.Contains(roles, r) {
				return fmt.Errorf("roles %s and %s: %w", r, d, ErrRolesAcrossWall)
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

// roleDescriptions say what each role is for, in the words the admin screen,
// `feedback users --help` and the README all use; a role without one fails
// TestRoles_EachHasADescription.
var roleDescriptions = map[Role]string{
	RoleAdmin:     "manages staff accounts, practitioners, subject-access and erasure requests and patient-safety concerns; sees no survey figure",
	RoleQuality:   "quality leads: dashboards, comments and exports; sees no caller's record",
	RoleIntake:    "call handlers: callers' records, contacts and routing; sees no survey figure",
	RolePeer:      "peer-support doctors: their own callers' records and conversations only",
	RoleModerator: "reviews the released comments the check was unsure of, approving or removing words, before quality leads read them; sees no figure and no caller's record",
}

// Description is what the role is for, in one line.
func (r Role) Description() string { return roleDescriptions[r] }

// RoleNames lists the roles as the console takes them: "admin, quality, intake, peer".
func RoleNames() string { return roleNames() }

// WallRule states CheckWall in words, from the same lists it enforces.
func WallRule() string {
	return fmt.Sprintf("An account with %s cannot also hold %s, and %s cannot be combined with %s: give such a person two accounts, each with its own e-mail address.",
		orList(answerRoles), orList(recordRoles), RoleModerator, RoleQuality)
}

func orList(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
