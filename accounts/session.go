package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ErrNoSession means the session ID is unknown, malformed or expired, or its
// account is disabled or gone: the person must sign in again.
var ErrNoSession = errors.New("no session: sign in again")

// touchInterval limits last-seen writes to one a minute per session; the idle
// timeout is therefore honoured to within a minute (a session may end up to a
// minute early, never late).
const touchInterval = time.Minute

const sessionIDBytes = 32

// Session is a signed-in staff member. Roles, name and the must-change flag are
// read from the account at every lookup, so changes apply at once.
type Session struct {
	// ID is the secret the browser holds. Only CreateSession returns it; the
	// database keeps its SHA-256 alone, so a leaked database opens no session.
	ID                 string
	Email              string
	Name               string
	Roles              []Role
	MustChangePassword bool
	// CSRFToken is a random value per session that state-changing requests echo.
	CSRFToken         string
	Created, LastSeen time.Time
}

// Has reports whether the signed-in person holds role r.
func (s Session) Has(r Role) bool { return slices.Contains(s.Roles, r) }

// ValidCSRF reports, in constant time, whether token is this session's CSRF token.
func (s Session) ValidCSRF(token string) bool {
	return s.CSRFToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRFToken)) == 1
}

// sessionDoc is a document in the sessions collection. The collection holds live
// sessions only (expired ones are purged at each sign-in), because it is read on
// every staff request and reads scan it on the embedded store.
type sessionDoc struct {
	IDHash   string    `bson:"_id"` // hex SHA-256 of the session ID
	Email    string    `bson:"email"`
	CSRF     string    `bson:"csrf"`
	Created  time.Time `bson:"created"`
	LastSeen time.Time `bson:"last_seen"`
}

// CreateSession starts a session for u with a new random ID, first purging
// expired sessions so the collection stays small.
func (s *Store) CreateSession(ctx context.Context, u User) (Session, error) {
	if _, err := s.PurgeSessions(ctx); err != nil {
		return Session{}, err
	}
	id := randomToken(sessionIDBytes)
	now := s.now()
	d := sessionDoc{IDHash: hashSessionID(id), Email: u.Email, CSRF: randomToken(32), Created: now, LastSeen: now}
	if _, err := s.session.InsertOne(ctx, d); err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	sess := d.session(u)
	sess.ID = id
	return sess, nil
}

// LookupSession returns the live session with the given ID, or ErrNoSession. It
// enforces the idle and absolute timeouts and the account's enabled flag, and
// records activity at most once a minute.
func (s *Store) LookupSession(ctx context.Context, id string) (Session, error) {
	d, err := s.findSession(ctx, id)
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	if now.Sub(d.LastSeen) >= s.cfg.IdleTimeout || now.Sub(d.Created) >= s.cfg.AbsoluteTimeout {
		return Session{}, s.endSession(ctx, d.IDHash)
	}
	u, err := s.Get(ctx, d.Email)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.Enabled) {
		return Session{}, s.endSession(ctx, d.IDHash)
	}
	if err != nil {
		return Session{}, err
	}
	if now.Sub(d.LastSeen) >= touchInterval {
		if _, err := s.session.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.IDHash}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_seen", Value: now}}}}); err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
		d.LastSeen = now
	}
	return d.session(u), nil
}

// endSession deletes an ended session and answers ErrNoSession.
func (s *Store) endSession(ctx context.Context, idHash string) error {
	if _, err := s.session.DeleteOne(ctx, bson.D{{Key: "_id", Value: idHash}}); err != nil {
		return fmt.Errorf("delete ended session: %w", err)
	}
	return ErrNoSession
}

// DeleteSession ends one session (sign-out). An unknown ID is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	h, ok := parseSessionID(id)
	if !ok {
		return nil
	}
	if _, err := s.session.DeleteOne(ctx, bson.D{{Key: "_id", Value: h}}); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessionsFor ends every session of the account email, as when it is
// disabled or its password changes.
func (s *Store) DeleteSessionsFor(ctx context.Context, email string) error {
	if _, err := s.session.DeleteMany(ctx, bson.D{{Key: "email", Value: email}}); err != nil {
		return fmt.Errorf("delete sessions of %s: %w", email, err)
	}
	return nil
}

// PurgeSessions deletes sessions past either timeout and returns how many.
// CreateSession calls it; a periodic call also keeps a quiet service tidy.
func (s *Store) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.session.DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "last_seen", Value: bson.D{{Key: "$lte", Value: now.Add(-s.cfg.IdleTimeout)}}}},
		bson.D{{Key: "created", Value: bson.D{{Key: "$lte", Value: now.Add(-s.cfg.AbsoluteTimeout)}}}},
	}}})
	if err != nil {
		return 0, fmt.Errorf("purge expired sessions: %w", err)
	}
	return res.DeletedCount, nil
}

// sessionEmail returns the account of a session without checking or touching
// it, or "" when there is none.
func (s *Store) sessionEmail(ctx context.Context, id string) (string, error) {
	d, err := s.findSession(ctx, id)
	if errors.Is(err, ErrNoSession) {
		return "", nil
	}
	return d.Email, err
}

func (s *Store) findSession(ctx context.Context, id string) (sessionDoc, error) {
	var d sessionDoc
	h, ok := parseSessionID(id)
	if !ok {
		return d, ErrNoSession
	}
	err := s.session.FindOne(ctx, bson.D{{Key: "_id", Value: h}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, ErrNoSession
	}
	if err != nil {
		return d, fmt.Errorf("read session: %w", err)
	}
	d.Created, d.LastSeen = d.Created.UTC(), d.LastSeen.UTC()
	return d, nil
}

func (d sessionDoc) session(u User) Session {
	return Session{
		Email: u.Email, Name: u.Name, Roles: u.Roles, MustChangePassword: u.MustChangePassword,
		CSRFToken: d.CSRF, Created: d.Created, LastSeen: d.LastSeen,
	}
}

// parseSessionID checks that id looks like one we issued and returns its
// database key.
func parseSessionID(id string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(raw) != sessionIDBytes {
		return "", false
	}
	return hashSessionID(id), true
}

func hashSessionID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// randomToken returns n random bytes from crypto/rand, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
