package ballotbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/store"
)

// A form carries a nonce: "<day>.<random>.<mac>", signed with that day's key.
// It is valid on the day it was issued and the day after, and it is single-use
// because the response it brings is stored under an _id derived from it: a
// replay or a retry hits the unique _id and is stored once.
//
// Each day's key lives in the database (so every instance shares it) and is
// deleted once its nonces have expired. From then on nobody, not even someone
// holding the database and the phone that answered, can connect a nonce to the
// _id of the response it brought.

// ErrNonce means a form's nonce is missing, forged, for another survey or expired.
var ErrNonce = errors.New("the form has expired or is not valid")

const (
	nonceDayLayout = "20060102"
	keysCollection = "keys"
	nonceRandBytes = 16
	nonceMACBytes  = 16
)

// Keys issues and checks nonces with per-day keys kept in the survey database.
type Keys struct {
	coll *mongo.Collection
	now  func() time.Time

	mu    sync.Mutex
	cache map[string][]byte // day → key
}

// NewKeys returns the nonce keys kept in db.
func NewKeys(db *mongo.Database, now func() time.Time) *Keys {
	if now == nil {
		panic("survey.NewKeys: no clock")
	}
	return &Keys{coll: db.Collection(keysCollection), now: now, cache: map[string][]byte{}}
}

// Prepare makes sure today's and tomorrow's keys exist, so that forms keep being
// issued across midnight even while the database is briefly unreachable, and
// drops keys whose nonces have all expired.
func (k *Keys) Prepare(ctx context.Context) error {
	today := k.now().UTC()
	for _, day := range []time.Time{today.AddDate(0, 0, -1), today, today.AddDate(0, 0, 1)} {
		if _, err := k.key(ctx, day.Format(nonceDayLayout), day.Before(today)); err != nil && !errors.Is(err, errNoKey) {
			return err
		}
	}
	oldest := today.AddDate(0, 0, -1).Format(nonceDayLayout)
	if _, err := k.coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: oldest}}}}); err != nil {
		return fmt.Errorf("drop expired nonce keys: %w", err)
	}
	k.mu.Lock()
	for day := range k.cache {
		if day < oldest {
			delete(k.cache, day)
		}
	}
	k.mu.Unlock()
	return nil
}

var errNoKey = errors.New("no key for that day")

// key returns the key for day, creating it unless onlyExisting.
func (k *Keys) key(ctx context.Context, day string, onlyExisting bool) ([]byte, error) {
	k.mu.Lock()
	key, ok := k.cache[day]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	if !onlyExisting {
		fresh := make([]byte, 32)
		_, _ = rand.Read(fresh)
		_, err := k.coll.InsertOne(ctx, bson.D{{Key: "_id", Value: day}, {Key: "k", Value: fresh}})
		if err != nil && !store.IsDuplicateKey(err) {
			return nil, fmt.Errorf("create nonce key: %w", err)
		}
	}
	var doc struct {
		K []byte `bson:"k"`
	}
	// The keys collection holds at most three documents, so this read stays cheap.
	err := k.coll.FindOne(ctx, bson.D{{Key: "_id", Value: day}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoKey
	}
	if err != nil || len(doc.K) != 32 {
		return nil, fmt.Errorf("read nonce key: %w", err)
	}
	k.mu.Lock()
	k.cache[day] = doc.K
	k.mu.Unlock()
	return doc.K, nil
}

// Issue returns a fresh nonce for a form of the given service, reached by its
// open link.
func (k *Keys) Issue(ctx context.Context, service string) (string, error) {
	return k.issue(ctx, service, "")
}

// IssueVerified returns a fresh nonce whose response is stored as verified
// without an invitation being spent: for answers vouched for another way (the
// demo's synthetic invited answers, tests). Forms from a survey text are made
// verified by SubmitInvited instead. The mark is inside the signed part, so it
// cannot be added to an open form's nonce.
func (k *Keys) IssueVerified(ctx context.Context, service string) (string, error) {
	return k.issue(ctx, service, verifiedMark)
}

// verifiedMark starts the random part of a verified form's nonce.
const verifiedMark = "~" // outside base64url, so no open nonce starts with it

func (k *Keys) issue(ctx context.Context, service, mark string) (string, error) {
	day := k.now().UTC().Format(nonceDayLayout)
	key, err := k.key(ctx, day, false)
	if err != nil {
		return "", err
	}
	random := make([]byte, nonceRandBytes)
	_, _ = rand.Read(random)
	r := mark + base64.RawURLEncoding.EncodeToString(random)
	return day + "." + r + "." + base64.RawURLEncoding.EncodeToString(mac(key, "nonce", service, day, r)[:nonceMACBytes]), nil
}

// BallotID checks a nonce for the given service and returns the _id its
// sealed ballot is stored under: 128 bits derived from the nonce with the day's
// key, random to anyone without both.
func (k *Keys) BallotID(ctx context.Context, service, nonce string) (string, error) {
	id, _, err := k.Check(ctx, service, nonce)
	return id, err
}

// Check checks a nonce for the given service and returns its ballot's _id
// (see BallotID) and whether the form was exchanged for an invitation.
func (k *Keys) Check(ctx context.Context, service, nonce string) (id string, verified bool, err error) {
	day, r, sig, ok := splitNonce(nonce)
	if !ok {
		return "", false, ErrNonce
	}
	id, err = k.ballotID(ctx, service, day, r, sig)
	return id, err == nil && strings.HasPrefix(r, verifiedMark), err
}

func (k *Keys) ballotID(ctx context.Context, service, day, r, sig string) (string, error) {
	issued, err := time.Parse(nonceDayLayout, day)
	today := k.now().UTC().Truncate(24 * time.Hour)
	if err != nil || issued.After(today) || issued.Before(today.AddDate(0, 0, -1)) {
		return "", ErrNonce
	}
	key, err := k.key(ctx, day, true)
	if errors.Is(err, errNoKey) {
		return "", ErrNonce
	}
	if err != nil {
		return "", err
	}
	want := mac(key, "nonce", service, day, r)[:nonceMACBytes]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return "", ErrNonce
	}
	return hex.EncodeToString(mac(key, "ballot", service, day, r)[:16]), nil
}

func splitNonce(nonce string) (day, r, sig string, ok bool) {
	if len(nonce) > 80 {
		return "", "", "", false
	}
	parts := strings.Split(nonce, ".")
	if len(parts) != 3 || len(parts[0]) != len(nonceDayLayout) {
		return "", "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(parts[1], verifiedMark))
	if err != nil || len(raw) != nonceRandBytes {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func mac(key []byte, parts ...string) []byte {
	h := hmac.New(sha256.New, key)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// issuedMonth is the month (MonthLayout) of the day a checked nonce was
// issued, "" for a nonce that does not parse.
func issuedMonth(nonce string) string {
	day, _, _, ok := splitNonce(nonce)
	if !ok {
		return ""
	}
	return day[:4] + "-" + day[4:6]
}
