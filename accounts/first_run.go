package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DefaultAdminEmail is the first-run admin's address when none is configured.
const DefaultAdminEmail = "admin@localhost"

// Credentials are a one-time sign-in for the caller to show once, on the console.
type Credentials struct {
	Email    string
	Password string
}

// EnsureAdmin makes sure the service has an enabled admin. When it has none, it
// creates email (DefaultAdminEmail if empty) with a generated one-time password
// that must be changed at first sign-in, and returns the credentials with
// created true. If that address exists but is disabled or not an admin, it is
// enabled, made admin (losing quality, which the wall forbids beside admin) and
// given a new one-time password: the way back in when every admin has been locked out. Otherwise it changes nothing.
func (s *Store) EnsureAdmin(ctx context.Context, email string) (creds Credentials, created bool, err error) {
	if email == "" {
		email = DefaultAdminEmail
	}
	email, err = NormaliseEmail(email)
	if err != nil {
		return Credentials{}, false, fmt.Errorf("first-run admin: %w", err)
	}
	if ok, err := s.hasEnabledAdmin(ctx); ok || err != nil {
		return Credentials{}, false, err
	}
	password := GeneratePassword()
	_, err = s.Add(ctx, ActorSystem, NewUser{
		Email: email, Name: "Administrator", Roles: []Role{RoleAdmin}, Password: password, Generated: true,
	})
	if errors.Is(err, ErrExists) {
		// Another instance starting at the same moment may have just made it.
		if ok, err := s.hasEnabledAdmin(ctx); ok || err != nil {
			return Credentials{}, false, err
		}
		err = s.restoreAdmin(ctx, email, password)
	}
	if err != nil {
		return Credentials{}, false, fmt.Errorf("first-run admin: %w", err)
	}
	if err := s.audit(ctx, ActorSystem, ActionAdminCreated, email, ""); err != nil {
		return Credentials{}, false, err
	}
	return Credentials{Email: email, Password: password}, true, nil
}

func (s *Store) hasEnabledAdmin(ctx context.Context) (bool, error) {
	n, err := s.users.CountDocuments(ctx, enabledAdmins())
	if err != nil {
		return false, fmt.Errorf("look for an admin: %w", err)
	}
	return n > 0, nil
}

// restoreAdmin re-enables an existing account as admin with a one-time password.
func (s *Store) restoreAdmin(ctx context.Context, email, password string) error {
	d, err := s.getDoc(ctx, email)
	if err != nil {
		return err
	}
	// The wall forbids dashboards beside admin: the rescued account loses quality.
	roles := slices.DeleteFunc(append(slices.Clone(d.Roles), RoleAdmin), func(r Role) bool { return r == RoleQuality })
	roles, err = normaliseRoles(roles)
	if err != nil {
		return fmt.Errorf("restore admin %s: %w", email, err)
	}
	if err := s.update(ctx, email, bson.D{
		{Key: "roles", Value: roles},
		{Key: "enabled", Value: true},
	}); err != nil {
		return err
	}
	return s.storePassword(ctx, email, password, true)
}
