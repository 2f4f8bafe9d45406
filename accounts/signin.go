package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// LockedError refuses a sign-in while the account or the client is locked out.
// It says nothing about whether the account exists: unknown e-mails lock too.
// It is ErrLocked, with how long to wait.
type LockedError struct {
	RetryAfter time.Duration
}

// ErrLocked is every LockedError, for errors.Is.
var ErrLocked = errors.New("too many failed sign-ins")

// ErrOneTimeExpired refuses a one-time password older than its lifetime
// (Config.OneTimeLifetime): it is given only to someone who knew it.
var ErrOneTimeExpired = errors.New("this one-time password has expired")

// DefaultOneTimeLifetime is how long a generated one-time password works.
const DefaultOneTimeLifetime = 24 * time.Hour

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v: try again in %s", ErrLocked, e.RetryAfter.Round(time.Second))
}

// Is makes a LockedError match ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Reasons a sign-in failed, kept in the audit log for admins; the person signing
// in only ever sees ErrInvalidCredentials.
const (
	reasonUnknownAccount = "unknown account"
	reasonWrongPassword  = "wrong password"
	reasonDisabled       = "account disabled"
	reasonAccountLocked  = "account locked after repeated failures"
	reasonClientLocked   = "a client locked after repeated failures"
	reasonOneTimeExpired = "one-time password expired"
)

// Authenticate checks an e-mail and password and returns the enabled account
// they belong to, or ErrInvalidCredentials. An unknown e-mail or a disabled
// account costs the same hashing time as a wrong password, so timing does not
// tell which addresses have accounts. A hash made with parameters below the
// current ones is replaced. It neither consults the lockout nor audits: SignIn does.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, _, err := s.authenticate(ctx, email, password)
	return u, err
}

// authenticate also returns why a failure failed, for the audit log.
func (s *Store) authenticate(ctx context.Context, email, password string) (User, string, error) {
	d, err := s.getDoc(ctx, email)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidEmail) {
		_, _ = VerifyPassword(s.dummy(), password)
		return User{}, reasonUnknownAccount, ErrInvalidCredentials
	}
	if err != nil {
		return User{}, "", err
	}
	ok, err := VerifyPassword(d.PasswordHash, password)
	if err != nil {
		return User{}, "", fmt.Errorf("account %s: %w", d.Email, err)
	}
	switch {
	case !ok:
		return User{}, reasonWrongPassword, ErrInvalidCredentials
	case !d.Enabled:
		return User{}, reasonDisabled, ErrInvalidCredentials
	case d.MustChangePassword && !d.OneTimeUntil.IsZero() && !s.now().Before(d.OneTimeUntil):
		return User{}, reasonOneTimeExpired, ErrOneTimeExpired
	}
	if NeedsRehash(d.PasswordHash, s.cfg.PasswordParams) {
		if err := s.rehash(ctx, d.Email, d.PasswordHash, password); err != nil {
			return User{}, "", err
		}
	}
	return d.user(), "", nil
}

// rehash replaces old with a hash made with the current parameters, unless the
// password changed meanwhile.
func (s *Store) rehash(ctx context.Context, email, old, password string) error {
	hash, err := HashPassword(password, s.cfg.PasswordParams)
	if err != nil {
		return err
	}
	_, err = s.users.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: email}, {Key: "password", Value: old}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "password", Value: hash}}}})
	if err != nil {
		return fmt.Errorf("upgrade password hash for %s: %w", email, err)
	}
	return nil
}

// dummy is a hash of a random password with the current parameters, verified
// against when the e-mail is unknown.
func (s *Store) dummy() string {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = HashPassword(GeneratePassword(), s.cfg.PasswordParams)
	})
	return s.dummyHash
}

// SignIn is the whole sign-in: it consults the lockout for the account and the
// client (a key the caller derives from the connection; it is kept only in
// memory), checks the password, audits the outcome, and on success starts a new
// session (a new ID at every sign-in). Failures are ErrInvalidCredentials or a
// *LockedError.
func (s *Store) SignIn(ctx context.Context, email, password, client string) (Session, error) {
	target := auditTarget(email)
	if ok, wait := s.lockout.Check(email, client); !ok {
		// Not audited: a locked-out client could otherwise fill the audit log.
		// The failure that started the lock was.
		return Session{}, &LockedError{RetryAfter: wait}
	}
	u, reason, err := s.authenticate(ctx, email, password)
	if errors.Is(err, ErrInvalidCredentials) {
		accountLocked, clientLocked := s.lockout.Fail(email, client)
		switch {
		case accountLocked:
			reason += "; " + reasonAccountLocked
		case clientLocked:
			reason += "; " + reasonClientLocked
		}
		if aerr := s.audit(ctx, ActorSystem, ActionSignInFailed, target, reason); aerr != nil {
			return Session{}, aerr
		}
		return Session{}, ErrInvalidCredentials
	}
	if errors.Is(err, ErrOneTimeExpired) {
		if aerr := s.audit(ctx, ActorSystem, ActionSignInFailed, target, reason); aerr != nil {
			return Session{}, aerr
		}
	}
	if err != nil {
		return Session{}, err
	}
	s.lockout.Succeed(email, client)
	sess, err := s.CreateSession(ctx, u)
	if err != nil {
		return Session{}, err
	}
	if err := s.audit(ctx, u.Email, ActionSignIn, u.Email, ""); err != nil {
		_ = s.DeleteSession(ctx, sess.ID)
		return Session{}, err
	}
	return sess, nil
}

// SignOut ends the session with the given ID and audits it. Signing out of a
// session that has already ended is not an error.
func (s *Store) SignOut(ctx context.Context, id string) error {
	email, err := s.sessionEmail(ctx, id)
	if err != nil || email == "" {
		return err
	}
	if err := s.DeleteSession(ctx, id); err != nil {
		return err
	}
	return s.audit(ctx, email, ActionSignOut, email, "")
}

// auditTarget is what a failed sign-in records of the typed e-mail: the address
// when it is one, otherwise nothing, as people do type passwords into the e-mail box.
func auditTarget(email string) string {
	e, err := NormaliseEmail(email)
	if err != nil {
		return "(not an e-mail address)"
	}
	return e
}
