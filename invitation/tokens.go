package invitation

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"github.com/cloudflare/circl/blindsign/blindrsa"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized): a browser with
// JavaScript makes a random token, blinds it, and exchanges its invitation
// for a signature over the blinded token; it unblinds the signature and sends
// the token with its answers. The server signs without seeing the token and
// checks the token without seeing the invitation, so not even the running
// server can join the two requests by any value they carry.
//
// One RSA-2048 key pair per survey service, made on first need and shared by
// every instance through keysCollection. There is no rotation yet: a key lives
// as long as the database (a rotation would keep the old public key until the
// last invitation signed under it has expired).

// ErrMalformed is the token exchange's error besides ErrInvalid, ErrExpired
// and ErrUsed.
var (
	// ErrMalformed: the blinded message is not one the key can sign.
	ErrMalformed = errors.New("blinded message is malformed")
)

const (
	keysCollection = "blind_keys"
	keyBits        = 2048
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
	cache map[string]*rsa.PrivateKey // by service
}

// NewTokens returns the blind-signature exchange of the invitations spent by
// spent; its keys live beside the spent marks, in the invitations database.
func NewTokens(spent *Store) *Tokens {
	return &Tokens{spent: spent, keys: spent.db.Collection(keysCollection), cache: map[string]*rsa.PrivateKey{}}
}

// PublicKey is service's public key, which the browser blinds with and the
// survey checks tokens with. It is made on first need.
func (t *Tokens) PublicKey(ctx context.Context, service string) (*rsa.PublicKey, error) {
	sk, err := t.key(ctx, service)
	if err != nil {
		return nil, err
	}
	return &sk.PublicKey, nil
}

// Sign checks code for service, spends it and signs blinded with the
// service's key. A code that is invalid, expired or another service's, or a
// blinded message the key cannot sign, is refused before anything is spent;
// the code is spent before signing, so a used code costs no signature (12 ms
// of CPU). The blinded message is random to the server: nothing it keeps or
// sees leads from it to the token the browser will send.
func (t *Tokens) Sign(ctx context.Context, service, code string, blinded []byte) ([]byte, error) {
	inv, err := t.spent.codes.VerifyFor(service, code)
	if err != nil {
		return nil, err
	}
	sk, err := t.key(ctx, service)
	if err != nil {
		return nil, err
	}
	if len(blinded) != SignatureLength || new(big.Int).SetBytes(blinded).Cmp(sk.N) >= 0 {
		return nil, ErrMalformed
	}
	if err := t.spent.markSpent(ctx, inv); err != nil {
		return nil, err
	}
	sig, err := blindrsa.NewSigner(sk).BlindSign(blinded)
	if err != nil {
		return nil, fmt.Errorf("blind-sign: %w", err)
	}
	return sig, nil
}

// VerifyToken checks a token (prepared message, then signature) against
// service's key and returns the prepared message, which names the token
// uniquely, and true; false for anything but a good signature. An error
// says the key could not be read.
func (t *Tokens) VerifyToken(ctx context.Context, service string, token []byte) ([]byte, bool, error) {
	if len(token) != TokenLength {
		return nil, false, nil
	}
	pk, err := t.PublicKey(ctx, service)
	if err != nil {
		return nil, false, err
	}
	v, err := blindrsa.NewVerifier(Variant, pk)
	if err != nil {
		return nil, false, err
	}
	prepared := token[:PreparedLength]
	if err := v.Verify(prepared, token[PreparedLength:]); err != nil {
		return nil, false, nil
	}
	return prepared, true, nil
}

// spentTokensCollection keeps a mark for every token accepted, so a token is
// accepted once for as long as its key lives: a ballot's own _id stops a
// replay only until its month is released and its ballots deleted.
const spentTokensCollection = "tokens_spent"

// spentTokenLabel separates a spent token's mark from any other hash of it.
const spentTokenLabel = "feedback spent blind token v1"

// SpendTokens marks spent the tokens named by their prepared messages,
// prepared[i] for services[i], in one insert; fresh[i] is false for a token
// spent before. A mark is a hash of the service and the prepared message: no
// time, nothing of the exchange (which never saw the message), and not the
// ballot's _id. An error means whether any was spent is unknown.
func (t *Tokens) SpendTokens(ctx context.Context, services []string, prepared [][]byte) (fresh []bool, err error) {
	ids := make([]string, len(prepared))
	for i, p := range prepared {
		h := sha256.New()
		for _, part := range [][]byte{[]byte(spentTokenLabel), []byte(services[i]), p} {
			h.Write(part)
			h.Write([]byte{0})
		}
		ids[i] = hex.EncodeToString(h.Sum(nil)[:16])
	}
	used, err := insertMarks(ctx, t.spent.db.Collection(spentTokensCollection), ids)
	if err != nil {
		return nil, fmt.Errorf("spend tokens: %w", err)
	}
	fresh = make([]bool, len(used))
	for i, u := range used {
		fresh[i] = !u
	}
	return fresh, nil
}

// keyDoc is a service's key pair as stored: the public key in clear, the
// private key sealed with AES-256-GCM under a key derived from the invitation
// secret, with the service as additional data.
type keyDoc struct {
	Service string `bson:"_id"`
	Public  []byte `bson:"public"` // PKIX DER
	Sealed  []byte `bson:"sealed"` // nonce, then ciphertext of PKCS #8 DER
}

// key returns service's private key: cached, read, or made and stored. Two
// instances making one at once both insert; the unique _id keeps the first,
// and the loser reads it back.
func (t *Tokens) key(ctx context.Context, service string) (*rsa.PrivateKey, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sk, ok := t.cache[service]; ok {
		return sk, nil
	}
	sk, err := t.read(ctx, service)
	if errors.Is(err, mongo.ErrNoDocuments) {
		if err = t.create(ctx, service); err == nil {
			sk, err = t.read(ctx, service)
		}
	}
	if err != nil {
		return nil, err
	}
	t.cache[service] = sk
	return sk, nil
}

func (t *Tokens) create(ctx context.Context, service string) error {
	sk, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return fmt.Errorf("make blind-signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(sk)
	if err != nil {
		return fmt.Errorf("encode blind-signing key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&sk.PublicKey)
	if err != nil {
		return fmt.Errorf("encode blind-signing key: %w", err)
	}
	aead, err := t.aead()
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	doc := keyDoc{Service: service, Public: pub, Sealed: aead.Seal(nonce, nonce, der, []byte(service))}
	if _, err := t.keys.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store blind-signing key: %w", err)
	}
	return nil
}

// read reads and opens service's key; mongo.ErrNoDocuments when there is none.
// The collection holds one small document per service.
func (t *Tokens) read(ctx context.Context, service string) (*rsa.PrivateKey, error) {
	var doc keyDoc
	if err := t.keys.FindOne(ctx, bson.D{{Key: "_id", Value: service}}).Decode(&doc); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, err
		}
		return nil, fmt.Errorf("read blind-signing key: %w", err)
	}
	aead, err := t.aead()
	if err != nil {
		return nil, err
	}
	if len(doc.Sealed) < aead.NonceSize() {
		return nil, errors.New("read blind-signing key: sealed key too short")
	}
	der, err := aead.Open(nil, doc.Sealed[:aead.NonceSize()], doc.Sealed[aead.NonceSize():], []byte(service))
	if err != nil {
		return nil, errors.New("read blind-signing key: cannot open it with this invitation secret")
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	sk, ok := k.(*rsa.PrivateKey)
	if err != nil || !ok || sk.N.BitLen() != keyBits {
		return nil, errors.New("read blind-signing key: not an RSA-2048 key")
	}
	return sk, nil
}

func (t *Tokens) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(t.spent.codes.sealKey)
	if err != nil {
		return nil, fmt.Errorf("blind-signing key seal: %w", err)
	}
	return cipher.NewGCM(block)
}
