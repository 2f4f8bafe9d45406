package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// API tokens let a script read what a quality lead reads (the stats API and the
// CSV exports) without a browser session. A token is shown once, when it is
// made; the database keeps only its SHA-256, so a copy of the database reads
// nothing. Tokens are few (a handful per install), so the collection is read
// whole at each use and every hash compared in constant time.
const tokensCollection = "api_tokens"

// tokenPrefix starts every token, so a leaked one is recognisable (secret scanners).
const tokenPrefix = "fbk_"

// tokenBytes is the token's randomness: 256 bits.
const tokenBytes = 32

// Token audit actions. The target is the token's id, never a path or a figure.
const (
	ActionTokenCreated Action = "token_created"
	ActionTokenRevoked Action = "token_revoked"
	// ActionTokenUsed is written at most once per token per day (UTC), at its first use.
	ActionTokenUsed Action = "token_used"
)

// TokenRoles are the roles a token may carry: reading only.
var TokenRoles = []Role{RoleQuality}

var (
	// ErrNoToken answers a token that is malformed, unknown, revoked or expired.
	ErrNoToken = errors.New("the API token is not valid: it is unknown, revoked or expired")
	// ErrTokenRole refuses a token for a role that can change anything.
	ErrTokenRole = errors.New("an API token can only have the quality role: it reads figures and exports, and changes nothing")
	// ErrNoSuchToken means an id names no token.
	ErrNoSuchToken = errors.New("no such API token")
)

// Token is an API token as listed: never its secret.
type Token struct {
	ID      string // public, short: names the token in lists, the audit log and revocation
	Name    string // what it is for, e.g. "board pack script"
	Role    Role
	By      string // who made it
	Created time.Time
	Expires time.Time // zero: never
	Revoked time.Time // zero: live
	// LastUsed is the day (UTC, YYYY-MM-DD) of its latest use, "" if never used.
	LastUsed string
}

// Live reports whether the token opens anything at now.
func (t Token) Live(now time.Time) bool {
	return t.Revoked.IsZero() && (t.Expires.IsZero() || now.Before(t.Expires))
}

// Actor is how the token appears in the audit log.
func (t Token) Actor() string { return "token:" + t.ID }

type tokenDoc struct {
	ID       string    `bson:"_id"`
	Hash     string    `bson:"hash"` // hex SHA-256 of the token
	Name     string    `bson:"name"`
	Role     Role      `bson:"role"`
	By       string    `bson:"by"`
	Created  time.Time `bson:"created"`
	Expires  time.Time `bson:"expires,omitempty"`
	Revoked  time.Time `bson:"revoked,omitempty"`
	LastUsed string    `bson:"last_used,omitempty"`
}

func (d tokenDoc) token() Token {
	return Token{ID: d.ID, Name: d.Name, Role: d.Role, By: d.By, Created: d.Created.UTC(),
		Expires: d.Expires.UTC(), Revoked: d.Revoked.UTC(), LastUsed: d.LastUsed}
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a token for role, named name, valid until expires (zero:
// until revoked), made by by. The secret is returned here only.
func (s *Store) CreateToken(ctx context.Context, name string, role Role, expires time.Time, by string) (Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxNameLength {
		return Token{}, "", fmt.Errorf("%w: give the token a name of 1 to %d characters saying what it is for", ErrInvalidName, maxNameLength)
	}
	if role != RoleQuality {
		return Token{}, "", fmt.Errorf("%w (asked for %q)", ErrTokenRole, role)
	}
	now := s.now()
	if !expires.IsZero() && !expires.After(now) {
		return Token{}, "", fmt.Errorf("the expiry %s is not in the future", expires.Format(time.DateOnly))
	}
	id := make([]byte, 4)
	rand.Read(id) // never fails (Go 1.24+)
	secret := tokenPrefix + randomToken(tokenBytes)
	d := tokenDoc{ID: hex.EncodeToString(id), Hash: hashToken(secret), Name: name, Role: role, By: by,
		Created: now, Expires: expires.UTC().Truncate(time.Millisecond)}
	if _, err := s.db.Collection(tokensCollection).InsertOne(ctx, d); err != nil {
		return Token{}, "", fmt.Errorf("create API token: %w", err)
	}
	if err := s.Record(ctx, by, ActionTokenCreated, d.ID); err != nil {
		return Token{}, "", err
	}
	return d.token(), secret, nil
}

// Tokens lists every token, live or not, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	docs, err := s.tokenDocs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Token, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.token())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// RevokeToken ends a token at once; it stays listed as revoked. Revoking a
// revoked token changes nothing and is not an error.
func (s *Store) RevokeToken(ctx context.Context, id, by string) error {
	res, err := s.db.Collection(tokensCollection).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "revoked", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: s.now()}}}})
	if err != nil {
		return fmt.Errorf("revoke API token: %w", err)
	}
	if res.MatchedCount == 0 {
		n, err := s.db.Collection(tokensCollection).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
		if err != nil {
			return fmt.Errorf("revoke API token: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("%w: %q", ErrNoSuchToken, id)
		}
		return nil
	}
	return s.Record(ctx, by, ActionTokenRevoked, id)
}

// AuthenticateToken returns the live token whose secret this is, or ErrNoToken.
// Every stored hash is compared, in constant time, so the answer's timing says
// nothing about which token came close. The first use each day is audited.
func (s *Store) AuthenticateToken(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return Token{}, ErrNoToken
	}
	docs, err := s.tokenDocs(ctx)
	if err != nil {
		return Token{}, err
	}
	want := []byte(hashToken(secret))
	var found *tokenDoc
	for i := range docs {
		if subtle.ConstantTimeCompare([]byte(docs[i].Hash), want) == 1 {
			found = &docs[i]
		}
	}
	now := s.now()
	if found == nil || !found.token().Live(now) {
		return Token{}, ErrNoToken
	}
	if day := now.Format(time.DateOnly); found.LastUsed != day {
		// Only the first request to change last_used writes the entry, so two
		// instances (or two requests) at once audit one use.
		res, err := s.db.Collection(tokensCollection).UpdateOne(ctx,
			bson.D{{Key: "_id", Value: found.ID}, {Key: "last_used", Value: bson.D{{Key: "$ne", Value: day}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_used", Value: day}}}})
		if err != nil {
			return Token{}, fmt.Errorf("record API token use: %w", err)
		}
		if res.ModifiedCount > 0 {
			if err := s.Record(ctx, found.token().Actor(), ActionTokenUsed, found.ID); err != nil {
				return Token{}, err
			}
		}
		found.LastUsed = day
	}
	return found.token(), nil
}

// tokenDocs reads the whole tokens collection: a handful of documents.
func (s *Store) tokenDocs(ctx context.Context) ([]tokenDoc, error) {
	cur, err := s.db.Collection(tokensCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read API tokens: %w", err)
	}
	var docs []tokenDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read API tokens: %w", err)
	}
	return docs, nil
}
