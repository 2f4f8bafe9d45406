package invitation

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/circl/blindsign/blindrsa"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized): a browser with
// JavaScript makes a random token, blinds it, and exchanges its invitation
// for a signature over the blinded token; it unblinds the signature and sends
// the token with its answers. The server signs without seeing the token and
// checks the token without seeing the invitation, so not even the running
// server can join the two requests by any value they carry.
//
// One RSA-2048 key pair per survey service and calendar month (see keys.go),
// shared by every instance through keysCollection.

// ErrMalformed is the token exchange's error besides ErrInvalid, ErrExpired
// and ErrUsed.
var (
	// ErrMalformed: the blinded message is not one the key can sign.
	ErrMalformed = errors.New("blinded message is malformed")
)

const (
	keyBits = 2048
	// SignatureLength is the length of a signature under a keyBits key.
	SignatureLength = keyBits / 8
	// PreparedLength is the length of a prepared message: the Randomized
	// variant's 32-byte random prefix, then the browser's 32-byte token.
	PreparedLength = 64
	// TokenLength is a token's length: the prepared message, then its signature.
	TokenLength = PreparedLength + SignatureLength
)

// Variant is the RFC 9474 variant every token is made with.
const Variant = blindrsa.SHA384PSSRandomized

// Tokens exchanges invitations for blind signatures and checks the tokens
// signed. It is safe for concurrent use, and across instances sharing a store.
type Tokens struct {
	spent *Store
	keys  *mongo.Collection

	mu    sync.Mutex
	cache map[string]*monthKey // by keyID
}

// NewTokens returns the blind-signature exchange of the invitations spent by
// spent; its keys live beside the spent marks, in the invitations database.
func NewTokens(spent *Store) *Tokens {
	return &Tokens{spent: spent, keys: spent.db.Collection(keysCollection), cache: map[string]*monthKey{}}
}

func (t *Tokens) now() time.Time { return t.spent.codes.now().UTC() }

// SigningKey is the key the browser blinds service's tokens with now: this
// month's, made on first need.
func (t *Tokens) SigningKey(ctx context.Context, service string) (SigningKey, error) {
	now := t.now()
	k, err := t.key(ctx, service, monthOf(now), true)
	if err != nil {
		return SigningKey{}, err
	}
	maxAge := min(monthStart(now).AddDate(0, 1, 0).Sub(now), 24*time.Hour)
	return SigningKey{ID: k.month, Key: &k.sk.PublicKey, MaxAge: maxAge}, nil
}

// Sign checks code for service, spends it and signs blinded with the key
// keyID, the one the browser blinded with. A code that is invalid, expired or
// another service's, a key that does not sign now ([ErrKeyNotSigning]: only
// this month's does, and last month's in the first minutes after midnight),
// or a blinded message the key cannot sign, is refused before anything is
// spent; the code is spent before signing, so a used code costs no signature
// (12 ms of CPU). The blinded message is random to the server: nothing it
// keeps or sees leads from it to the token the browser will send.
func (t *Tokens) Sign(ctx context.Context, service, keyID, code string, blinded []byte) ([]byte, error) {
	inv, err := t.spent.codes.VerifyFor(service, code)
	if err != nil {
		return nil, err
	}
	k, err := t.signingKeyFor(ctx, service, keyID, blinded)
	if err != nil {
		return nil, err
	}
	if err := t.spent.markSpent(ctx, inv); err != nil {
		return nil, err
	}
	return blindSign(k, blinded)
}

// Exchange is Sign as the browser's exchange answers it, telling nothing about
// the code: a code that cannot be spent (invalid, expired, another service's
// or used) gets a decoy instead of a refusal, made by the same work (an insert
// of its spent mark for a genuine code, one RSA signature) and as long as a
// signature: the key's signature of a random number, which is no signature of
// the blinded message, so the browser's check of it fails and the form is sent
// without a token. Only what does not depend on the code is refused: a key that
// does not sign now, a malformed blinded message, a store that cannot be
// reached. Whoever holds an unspent code can still learn that it was unspent,
// by spending it and checking the signature with the public key as a browser
// does; an observer of the answers alone (status, headers, length) cannot.
func (t *Tokens) Exchange(ctx context.Context, service, keyID, code string, blinded []byte) ([]byte, error) {
	k, err := t.signingKeyFor(ctx, service, keyID, blinded)
	if err != nil {
		return nil, err
	}
	inv, err := t.spent.codes.VerifyFor(service, code)
	if err == nil {
		err = t.spent.markSpent(ctx, inv)
	}
	switch {
	case err == nil:
		return blindSign(k, blinded)
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrExpired), errors.Is(err, ErrUsed):
		decoy, err := rand.Int(rand.Reader, k.sk.N)
		if err != nil {
			return nil, err
		}
		return blindSign(k, decoy.FillBytes(make([]byte, SignatureLength)))
	}
	return nil, err
}

// signingKeyFor is the key keyID of service, if it signs now and can sign blinded.
func (t *Tokens) signingKeyFor(ctx context.Context, service, keyID string, blinded []byte) (*monthKey, error) {
	now := t.now()
	if !signs(keyID, now) {
		return nil, ErrKeyNotSigning
	}
	k, err := t.key(ctx, service, keyID, keyID == monthOf(now))
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, ErrKeyNotSigning
	}
	if err != nil {
		return nil, err
	}
	if len(blinded) != SignatureLength || new(big.Int).SetBytes(blinded).Cmp(k.sk.N) >= 0 {
		return nil, ErrMalformed
	}
	return k, nil
}

func blindSign(k *monthKey, blinded []byte) ([]byte, error) {
	sig, err := blindrsa.NewSigner(k.sk).BlindSign(blinded)
	if err != nil {
		return nil, fmt.Errorf("blind-sign: %w", err)
	}
	return sig, nil
}

// VerifyToken checks a token (prepared message, then signature) against
// service's keys of this month and the last (at most two RSA verifies), and
// returns a name for it and true; false for anything but a good signature
// under one of them. The name is the prepared message, which names the token
// uniquely, then its key's spent-mark collection, for SpendTokens. An error
// says a key could not be read.
func (t *Tokens) VerifyToken(ctx context.Context, service string, token []byte) ([]byte, bool, error) {
	if len(token) != TokenLength {
		return nil, false, nil
	}
	prepared, sig := token[:PreparedLength], token[PreparedLength:]
	for _, month := range acceptingMonths(t.now()) {
		k, err := t.key(ctx, service, month, false)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		v, err := blindrsa.NewVerifier(Variant, &k.sk.PublicKey)
		if err != nil {
			return nil, false, err
		}
		if v.Verify(prepared, sig) == nil {
			return append(append([]byte{}, prepared...), k.spent...), true, nil
		}
	}
	return nil, false, nil
}

// spentTokenLabel separates a spent token's mark from any other hash of it.
const spentTokenLabel = "feedback spent blind token v1"

// SpendTokens marks spent the tokens named by VerifyToken, names[i] for
// services[i], with one insert per key month's collection (one, but at the
// month change); fresh[i] is false for a token spent before. A mark is a hash
// of the service and the prepared message: no time (the collection names its
// key's month), nothing of the exchange (which never saw the message), and
// not the ballot's _id. An error means whether any was spent is unknown.
func (t *Tokens) SpendTokens(ctx context.Context, services []string, names [][]byte) (fresh []bool, err error) {
	byColl := map[string][]int{}
	for i, name := range names {
		coll := string(name[min(len(name), PreparedLength):])
		if !strings.HasPrefix(coll, legacySpentTokens) {
			return nil, errors.New("spend tokens: not a token VerifyToken named")
		}
		byColl[coll] = append(byColl[coll], i)
	}
	fresh = make([]bool, len(names))
	for coll, which := range byColl {
		ids := make([]string, len(which))
		for j, i := range which {
			ids[j] = spentTokenID(services[i], names[i][:PreparedLength])
		}
		used, err := insertMarks(ctx, t.spent.db.Collection(coll), ids)
		if err != nil {
			return nil, fmt.Errorf("spend tokens: %w", err)
		}
		for j, u := range used {
			fresh[which[j]] = !u
		}
	}
	return fresh, nil
}

// spentTokenID is the _id of a token's spent mark: the same hash as before
// keys rotated, so the marks of that time still refuse a replay.
func spentTokenID(service string, prepared []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(spentTokenLabel), []byte(service), prepared} {
		h.Write(part)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (t *Tokens) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(t.spent.codes.sealKey)
	if err != nil {
		return nil, fmt.Errorf("blind-signing key seal: %w", err)
	}
	return cipher.NewGCM(block)
}
