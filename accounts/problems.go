package accounts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/feedback-service/feedback/field"
)

// Form problems: the rules for an account's details, worded field by field as
// a staff form shows them. Field names are the forms': email, name, role,
// password. The command line words the same refusals itself, from the errors
// Add and SetPassword return.

// ParseNewUser reads an account's details as a form sends them (roles by
// name) and lists what must be corrected before Add can take them: an e-mail
// address, a name and at least one role that exists. Password is left empty.
func ParseNewUser(email, name string, roles []string) (NewUser, field.Errors) {
	nu := NewUser{Email: strings.TrimSpace(email), Name: strings.TrimSpace(name)}
	var problems field.Errors
	if nu.Email == "" {
		problems.Add("email", "Enter an e-mail address")
	}
	if nu.Name == "" {
		problems.Add("name", "Enter a name")
	}
	for _, r := range roles {
		role, err := ParseRole(r)
		if err != nil {
			problems.Add("role", "Select roles from the list")
			break
		}
		nu.Roles = append(nu.Roles, role)
	}
	if len(roles) == 0 {
		problems.Add("role", "Select at least one role")
	}
	return nu, problems
}

// Problem words a refusal of Add or of a chosen password as the form field it
// concerns; ok is false for any other error (a wrong password or a lockout is
// worded by each form, so as to say no more than it must).
func Problem(err error) (p field.Error, ok bool) {
	switch {
	case errors.Is(err, ErrExists):
		return field.Error{Field: "email", Message: "There is already an account with this e-mail address"}, true
	case errors.Is(err, ErrInvalidEmail):
		return field.Error{Field: "email", Message: "Enter an e-mail address in the correct format, like name@example.nhs.uk"}, true
	case errors.Is(err, ErrInvalidName):
		return field.Error{Field: "name", Message: fmt.Sprintf("Enter a name of %d characters or fewer", maxNameLength)}, true
	case errors.Is(err, ErrRolesAcrossWall):
		return field.Error{Field: "role", Message: "Quality and moderator cannot be combined with intake, peer or admin (they read what was answered, the others who is on record): give this person two accounts, each with its own e-mail address"}, true
	case errors.Is(err, ErrModeratorWithQuality):
		return field.Error{Field: "role", Message: "Moderator cannot be combined with quality (a moderator reads comments that may still name their writer, before quality leads may): give this person two accounts, each with its own e-mail address"}, true
	case errors.Is(err, ErrUnknownRole):
		return field.Error{Field: "role", Message: "Select roles from the list"}, true
	case errors.Is(err, ErrWeakPassword):
		// The policy's reason follows the sentinel's text: "password not accepted: use at least …".
		reason := err.Error()
		if _, after, ok := strings.Cut(reason, ErrWeakPassword.Error()+": "); ok {
			reason = after
		}
		return field.Error{Field: "password", Message: "Choose a different password: " + reason}, true
	}
	return field.Error{}, false
}
