// Package accounts holds staff identities: who may sign in (quality leads, call
// handlers, administrators), with which roles, their sessions, the in-memory
// lockout that slows password guessing, read-only API tokens for scripts
// (token.go), and the audit log of account events.
//
// Service users never sign in, and nothing here touches the anonymous survey
// data: staff data lives in its own database, [Database].
package accounts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
)

// Database is the MongoDB database that holds staff accounts, sessions and the
// audit log, kept apart from the anonymous survey database.
const Database = "feedback_staff"

// Collection names. Audit entries live in one collection per month, see audit.go.
const (
	usersCollection    = "users"
	sessionsCollection = "sessions"
)

// Default session timeouts, as the issue asks.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

// Errors callers can test for with errors.Is. Messages wrapping them name the
// e-mail or role concerned.
var (
	// ErrNotFound means no account has the e-mail address.
	ErrNotFound = errors.New("no such account")
	// ErrExists means an account with the e-mail address already exists.
	ErrExists = errors.New("account already exists")
	// ErrInvalidCredentials is the one answer to a failed sign-in, whatever the
	// reason (unknown e-mail, wrong password, disabled account).
	ErrInvalidCredentials = errors.New("e-mail address or password is not right")
	// ErrInvalidName means a display name is empty or too long.
	ErrInvalidName = errors.New("display name not accepted")
	// ErrLastAdmin refuses to disable the only enabled administrator.
	ErrLastAdmin = errors.New("cannot disable the last enabled admin")
)

// Config tunes sessions, lockout and password hashing. The zero value gives the
// defaults.
type Config struct {
	// IdleTimeout ends a session unused for this long (default 30 minutes).
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in, used or not (default 12 hours).
	AbsoluteTimeout time.Duration
	// Lockout limits failed sign-ins; the zero value means DefaultLockoutPolicy.
	Lockout LockoutPolicy
	// PasswordParams hash new passwords; the zero value means DefaultPasswordParams.
	PasswordParams PasswordParams
	// OneTimeLifetime is how long a generated one-time password signs in
	// (default DefaultOneTimeLifetime); after it, an admin must give a new one.
	OneTimeLifetime time.Duration
	// Now is the clock; required (serve passes the wall clock, tests their own).
	Now func() time.Time
}

func (c Config) withDefaults() (Config, error) {
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.AbsoluteTimeout == 0 {
		c.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if c.OneTimeLifetime <= 0 {
		c.OneTimeLifetime = DefaultOneTimeLifetime
	}
	if c.IdleTimeout < time.Minute {
		return c, fmt.Errorf("session idle timeout %v: must be at least one minute", c.IdleTimeout)
	}
	if c.AbsoluteTimeout < c.IdleTimeout {
		return c, fmt.Errorf("session absolute timeout %v: must not be shorter than the idle timeout %v",
			c.AbsoluteTimeout, c.IdleTimeout)
	}
	if c.Lockout == (LockoutPolicy{}) {
		c.Lockout = DefaultLockoutPolicy()
	}
	if err := c.Lockout.validate(); err != nil {
		return c, err
	}
	if c.PasswordParams == (PasswordParams{}) {
		c.PasswordParams = DefaultPasswordParams
	}
	if err := c.PasswordParams.validate(); err != nil {
		return c, fmt.Errorf("password parameters: %w", err)
	}
	if c.Now == nil {
		return c, errors.New("accounts: no clock (Now)")
	}
	return c, nil
}

// Store keeps staff accounts, sessions and the audit log in [Database], and the
// sign-in lockout in memory. It is safe for concurrent use.
type Store struct {
	db      *mongo.Database
	users   *mongo.Collection
	session *mongo.Collection
	cfg     Config
	lockout *Lockout

	// dummyHash is verified against when the e-mail is unknown, so that an
	// unknown account costs the same hashing time as a known one.
	dummyOnce sync.Once
	dummyHash string

	auditMu      sync.Mutex
	auditIndexed map[string]bool
}

// New returns a Store on st's [Database]. It fails only on an invalid Config,
// with a message naming the setting.
func New(st *store.Store, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	db := st.Database(Database)
	return &Store{
		db:           db,
		users:        db.Collection(usersCollection),
		session:      db.Collection(sessionsCollection),
		cfg:          cfg,
		lockout:      NewLockout(cfg.Lockout, cfg.Now),
		auditIndexed: map[string]bool{},
	}, nil
}

// AbsoluteTimeout is how long a session lasts at most, used or not: no session
// cookie needs to outlive it.
func (s *Store) AbsoluteTimeout() time.Duration { return s.cfg.AbsoluteTimeout }

// Lockout returns the in-memory sign-in lockout the Store consults.
func (s *Store) Lockout() *Lockout { return s.lockout }

// EnsureIndexes creates the indexes the package's queries use. It is idempotent.
// The embedded store creates and ignores secondary indexes; real MongoDB uses them.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	// One at a time: FerretDB 1.24 panics on a createIndexes of several indexes
	// that all exist already.
	for _, field := range []string{"email", "last_seen", "created"} {
		_, err := s.session.Indexes().CreateOne(ctx, mongo.IndexModel{
			Keys: bson.D{{Key: field, Value: 1}}, Options: options.Index().SetName(field),
		})
		if err != nil {
			return fmt.Errorf("create session index %s: %w", field, err)
		}
	}
	if err := s.ensureAuditIndex(ctx, s.now()); err != nil {
		return err
	}
	return nil
}

// now is the Store's clock, at the millisecond precision MongoDB keeps, in UTC.
func (s *Store) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }
