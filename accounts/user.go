package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
)

// User is a staff account as the rest of the service sees it. The password hash
// never leaves this package.
type User struct {
	Email              string
	Name               string
	Roles              []Role
	Enabled            bool
	MustChangePassword bool
	Created, Updated   time.Time
}

// Has reports whether the user holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// NewUser is what it takes to add an account.
type NewUser struct {
	Email string
	Name  string
	Roles []Role
	// Password is checked with CheckPassword unless Generated is set.
	Password string
	// Generated marks Password as made by GeneratePassword: it skips the rules
	// for chosen passwords and must be changed at first sign-in.
	Generated bool
}

// userDoc is a document in the users collection; _id is the normalised e-mail,
// so the unique _id index refuses a second account for the same address.
type userDoc struct {
	Email              string `bson:"_id"`
	Name               string `bson:"name"`
	Roles              []Role `bson:"roles"`
	Enabled            bool   `bson:"enabled"`
	PasswordHash       string `bson:"password"`
	MustChangePassword bool   `bson:"must_change_password"`
	// OneTimeUntil is when a generated one-time password stops signing in.
	OneTimeUntil time.Time `bson:"one_time_until,omitempty"`
	Created      time.Time `bson:"created"`
	Updated      time.Time `bson:"updated"`
}

func (d userDoc) user() User {
	return User{
		Email: d.Email, Name: d.Name, Roles: d.Roles, Enabled: d.Enabled,
		MustChangePassword: d.MustChangePassword, Created: d.Created.UTC(), Updated: d.Updated.UTC(),
	}
}

const maxNameLength = 100

// Add creates an enabled account and records it in the audit log under actor.
// A second account for the same e-mail fails with an error wrapping [ErrExists].
func (s *Store) Add(ctx context.Context, actor string, nu NewUser) (User, error) {
	email, err := NormaliseEmail(nu.Email)
	if err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(nu.Name)
	if name == "" || len(name) > maxNameLength {
		return User{}, fmt.Errorf("display name for %s: %w: give one of 1 to %d characters", email, ErrInvalidName, maxNameLength)
	}
	roles, err := normaliseRoles(nu.Roles)
	if err != nil {
		return User{}, fmt.Errorf("roles for %s: %w", email, err)
	}
	if !nu.Generated {
		if err := CheckPassword(nu.Password, email); err != nil {
			return User{}, err
		}
	}
	hash, err := HashPassword(nu.Password, s.cfg.PasswordParams)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	doc := userDoc{
		Email: email, Name: name, Roles: roles, Enabled: true, PasswordHash: hash,
		MustChangePassword: nu.Generated, Created: now, Updated: now,
	}
	if nu.Generated {
		doc.OneTimeUntil = now.Add(s.cfg.OneTimeLifetime)
	}
	if _, err := s.users.InsertOne(ctx, doc); err != nil {
		if store.IsDuplicateKey(err) {
			return User{}, fmt.Errorf("add %s: %w", email, ErrExists)
		}
		return User{}, fmt.Errorf("add %s: %w", email, err)
	}
	if err := s.audit(ctx, actor, ActionUserAdded, email, ""); err != nil {
		return User{}, err
	}
	return doc.user(), nil
}

// Get returns the account for email, or an error wrapping [ErrNotFound].
func (s *Store) Get(ctx context.Context, email string) (User, error) {
	d, err := s.getDoc(ctx, email)
	if err != nil {
		return User{}, err
	}
	return d.user(), nil
}

func (s *Store) getDoc(ctx context.Context, email string) (userDoc, error) {
	var d userDoc
	e, err := NormaliseEmail(email)
	if err != nil {
		return d, err
	}
	err = s.users.FindOne(ctx, bson.D{{Key: "_id", Value: e}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, fmt.Errorf("%s: %w", e, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read account %s: %w", e, err)
	}
	return d, nil
}

// List returns every account, ordered by e-mail. Staff number in the tens, so
// reading them all is cheap even on the embedded store.
func (s *Store) List(ctx context.Context) ([]User, error) {
	cur, err := s.users.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	users := make([]User, len(docs))
	for i, d := range docs {
		users[i] = d.user()
	}
	return users, nil
}

// SetEnabled enables or disables an account. Disabling ends its sessions at once,
// and is refused for the last enabled admin so the service keeps one.
func (s *Store) SetEnabled(ctx context.Context, actor, email string, enabled bool) error {
	d, err := s.getDoc(ctx, email)
	if err != nil {
		return err
	}
	if !enabled && d.Enabled && slices.Contains(d.Roles, RoleAdmin) {
		n, err := s.users.CountDocuments(ctx, enabledAdmins())
		if err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		if n <= 1 {
			return fmt.Errorf("disable %s: %w", d.Email, ErrLastAdmin)
		}
	}
	if err := s.update(ctx, d.Email, bson.D{{Key: "enabled", Value: enabled}}); err != nil {
		return err
	}
	action := ActionUserEnabled
	if !enabled {
		action = ActionUserDisabled
		if err := s.DeleteSessionsFor(ctx, d.Email); err != nil {
			return err
		}
	}
	return s.audit(ctx, actor, action, d.Email, "")
}

// SetPassword gives an account a new password set by someone else (an admin or
// the command line), ending the account's sessions. A generated password must be
// changed at the next sign-in; a chosen one is checked with CheckPassword.
func (s *Store) SetPassword(ctx context.Context, actor, email, password string, generated bool) error {
	d, err := s.getDoc(ctx, email)
	if err != nil {
		return err
	}
	if !generated {
		if err := CheckPassword(password, d.Email); err != nil {
			return err
		}
	}
	if err := s.storePassword(ctx, d.Email, password, generated); err != nil {
		return err
	}
	return s.audit(ctx, actor, ActionPasswordSet, d.Email, "")
}

// ChangePassword lets a signed-in person replace their own password, proving
// they know the current one (also the way out of a one-time password). Wrong
// guesses count towards the account's lockout. All of the account's sessions
// end; the caller signs the person in again.
func (s *Store) ChangePassword(ctx context.Context, email, current, next string) error {
	if ok, wait := s.lockout.Check(email, ""); !ok {
		return &LockedError{RetryAfter: wait}
	}
	u, err := s.Authenticate(ctx, email, current)
	if errors.Is(err, ErrInvalidCredentials) {
		s.lockout.Fail(email, "")
	}
	if err != nil {
		return err
	}
	if err := CheckPassword(next, u.Email); err != nil {
		return err
	}
	if next == current {
		return fmt.Errorf("%w: choose a password different from the current one", ErrWeakPassword)
	}
	if err := s.storePassword(ctx, u.Email, next, false); err != nil {
		return err
	}
	return s.audit(ctx, u.Email, ActionPasswordChanged, u.Email, "")
}

func (s *Store) storePassword(ctx context.Context, email, password string, mustChange bool) error {
	hash, err := HashPassword(password, s.cfg.PasswordParams)
	if err != nil {
		return err
	}
	var until any // none for a chosen password
	if mustChange {
		until = s.now().Add(s.cfg.OneTimeLifetime)
	}
	if err := s.update(ctx, email, bson.D{
		{Key: "password", Value: hash},
		{Key: "must_change_password", Value: mustChange},
		{Key: "one_time_until", Value: until},
	}); err != nil {
		return err
	}
	return s.DeleteSessionsFor(ctx, email)
}

// update sets fields (and "updated") on the account with _id email.
func (s *Store) update(ctx context.Context, email string, set bson.D) error {
	set = append(set, bson.E{Key: "updated", Value: s.now()})
	res, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: email}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("update account %s: %w", email, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("%s: %w", email, ErrNotFound)
	}
	return nil
}

func enabledAdmins() bson.D {
	return bson.D{{Key: "roles", Value: RoleAdmin}, {Key: "enabled", Value: true}}
}
