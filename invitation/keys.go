package invitation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Blind-signing keys rotate by calendar month (UTC). The key of month M
// signs during M (and, for a browser that fetched it just before midnight,
// the first monthChangeGrace of M+1); tokens it signed are accepted during M
// and M+1. From the start of M+2 (plus the grace) its document is deleted and
// its spent marks' collection dropped: a token lives at most two months, and
// so does its mark.

const (
	keysCollection = "blind_keys"
	// keyMonthLayout is a key's id: the month it signs in, "2026-11".
	keyMonthLayout = "2006-01"
	// spentTokensPrefix starts each key month's collection of spent tokens:
	// tokens_spent_2026_11.
	spentTokensPrefix = "tokens_spent_"
	// legacySpentTokens holds the marks of tokens signed before keys rotated;
	// it goes with the key adopted from that time (see adopt).
	legacySpentTokens = "tokens_spent"
	// monthChangeGrace is how long after midnight of the month change the
	// previous month's key still signs, and how long after its last accepting
	// month its marks are kept, so that instances whose clocks differ by less
	// agree.
	monthChangeGrace = 10 * time.Minute
	// keyAhead is how early the next month's key is made by Rotate, so that no
	// request waits for an RSA key to be generated at midnight.
	keyAhead = 2 * time.Hour
)

// ErrKeyNotSigning: the exchange named a key that does not sign now (a past
// month's, after the grace, or no month at all). Nothing was spent.
var ErrKeyNotSigning = errors.New("the key named does not sign now")

// SigningKey is the public half of the key that signs now, as the browser
// blinds with it.
type SigningKey struct {
	// ID names the key: the month it signs in, "2026-11".
	ID string
	// Key is the RSA public key.
	Key *rsa.PublicKey
	// MaxAge is how long it may be cached: until the month ends, at most a day.
	MaxAge time.Duration
}

// monthKey is one month's private key and where the marks of the tokens it
// signed go.
type monthKey struct {
	sk    *rsa.PrivateKey
	month string // its id, "2026-11"
	spent string // its spent tokens' collection
}

// keyDoc is a key pair as stored: the public key in clear, the private key
// sealed with AES-256-GCM under a key derived from the invitation secret,
// with the _id as additional data.
type keyDoc struct {
	ID     string `bson:"_id"`              // "service|2026-11"; the service alone for a key made before rotation
	Public []byte `bson:"public"`           // PKIX DER
	Sealed []byte `bson:"sealed"`           // nonce, then ciphertext of PKCS #8 DER
	Legacy bool   `bson:"legacy,omitempty"` // adopted from before rotation: its marks are in legacySpentTokens
}

func keyID(service, month string) string { return service + "|" + month }

func monthOf(t time.Time) string { return t.UTC().Format(keyMonthLayout) }

// monthStart is the start of t's month, UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// acceptingMonths are the key months whose tokens are accepted at now: the
// current month's and the previous one's.
func acceptingMonths(now time.Time) []string {
	start := monthStart(now)
	return []string{monthOf(start), monthOf(start.AddDate(0, -1, 0))}
}

// signs says whether the key of month id signs at now: the current month's,
// or the previous one's in the first monthChangeGrace of the month.
func signs(id string, now time.Time) bool {
	return id == monthOf(now) || id == monthOf(now.Add(-monthChangeGrace))
}

// retired says whether the key of month id is past use at now: its tokens
// were last accepted more than monthChangeGrace ago.
func retired(id string, now time.Time) bool {
	m, err := time.Parse(keyMonthLayout, id)
	return err == nil && !now.Add(-monthChangeGrace).Before(m.AddDate(0, 2, 0))
}

// key returns service's key of month: cached, read, adopted from before
// rotation (current month only), or, when create, made and stored. Without
// create, a month with no key is mongo.ErrNoDocuments. Two instances making
// one at once both insert; the unique _id keeps the first, and the loser
// reads it back.
func (t *Tokens) key(ctx context.Context, service, month string, create bool) (*monthKey, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := keyID(service, month)
	if k, ok := t.cache[id]; ok {
		return k, nil
	}
	k, err := t.read(ctx, id)
	if errors.Is(err, mongo.ErrNoDocuments) && month == monthOf(t.now()) {
		var adopted bool
		if adopted, err = t.adopt(ctx, service, month); err == nil && adopted {
			k, err = t.read(ctx, id)
		} else if err == nil {
			err = mongo.ErrNoDocuments
		}
	}
	if errors.Is(err, mongo.ErrNoDocuments) && create {
		if err = t.create(ctx, id); err == nil {
			k, err = t.read(ctx, id)
		}
	}
	if err != nil {
		return nil, err
	}
	t.cache[id] = k
	t.forget()
	return k, nil
}

// forget drops cached keys that are no longer accepted.
func (t *Tokens) forget() {
	now := t.now()
	for id, k := range t.cache {
		if retired(k.month, now) {
			delete(t.cache, id)
		}
	}
}

// adopt makes the key service had before keys rotated (one per service, _id
// the service) the key of month, so that tokens signed under it are accepted
// for the rest of month and the next, and their marks (in legacySpentTokens)
// still refuse a replay. The month's document is inserted before the old one
// is deleted, so an instance that finds neither finds the month's key when it
// inserts its own. It says whether there was a key to adopt.
func (t *Tokens) adopt(ctx context.Context, service, month string) (bool, error) {
	var old keyDoc
	err := t.keys.FindOne(ctx, bson.D{{Key: "_id", Value: service}}).Decode(&old)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read blind-signing key from before rotation: %w", err)
	}
	der, err := t.open(old)
	if err != nil {
		return false, err
	}
	doc, err := t.seal(keyID(service, month), old.Public, der)
	if err != nil {
		return false, err
	}
	doc.Legacy = true
	if _, err := t.keys.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
		return false, fmt.Errorf("adopt blind-signing key: %w", err)
	}
	if _, err := t.keys.DeleteOne(ctx, bson.D{{Key: "_id", Value: service}}); err != nil {
		return false, fmt.Errorf("adopt blind-signing key: %w", err)
	}
	return true, nil
}

func (t *Tokens) create(ctx context.Context, id string) error {
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
	doc, err := t.seal(id, pub, der)
	if err != nil {
		return err
	}
	if _, err := t.keys.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store blind-signing key: %w", err)
	}
	return nil
}

func (t *Tokens) seal(id string, pub, der []byte) (keyDoc, error) {
	aead, err := t.aead()
	if err != nil {
		return keyDoc{}, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return keyDoc{ID: id, Public: pub, Sealed: aead.Seal(nonce, nonce, der, []byte(id))}, nil
}

// open returns the PKCS #8 DER of doc's private key.
func (t *Tokens) open(doc keyDoc) ([]byte, error) {
	aead, err := t.aead()
	if err != nil {
		return nil, err
	}
	if len(doc.Sealed) < aead.NonceSize() {
		return nil, errors.New("read blind-signing key: sealed key too short")
	}
	der, err := aead.Open(nil, doc.Sealed[:aead.NonceSize()], doc.Sealed[aead.NonceSize():], []byte(doc.ID))
	if err != nil {
		return nil, errors.New("read blind-signing key: cannot open it with this invitation secret")
	}
	return der, nil
}

// read reads and opens the key stored under id; mongo.ErrNoDocuments when
// there is none. The collection holds at most three small documents per
// service.
func (t *Tokens) read(ctx context.Context, id string) (*monthKey, error) {
	var doc keyDoc
	if err := t.keys.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, err
		}
		return nil, fmt.Errorf("read blind-signing key: %w", err)
	}
	der, err := t.open(doc)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	sk, ok := k.(*rsa.PrivateKey)
	if err != nil || !ok || sk.N.BitLen() != keyBits {
		return nil, errors.New("read blind-signing key: not an RSA-2048 key")
	}
	_, month, _ := strings.Cut(id, "|")
	spent := spentTokensPrefix + strings.ReplaceAll(month, "-", "_")
	if doc.Legacy {
		spent = legacySpentTokens
	}
	return &monthKey{sk: sk, month: month, spent: spent}, nil
}

// Rotate keeps the keys to their months; serve runs it hourly, and several
// instances may run it at once. It adopts any key from before rotation as the
// current month's; in the last keyAhead of a month it makes the next month's
// key for each service with a key this month, so that no request waits for
// one at midnight; and it retires keys past use: their documents deleted and
// their spent marks' collections dropped (a drop is cheap on the embedded
// store, where a deleteMany over a big collection is not).
func (t *Tokens) Rotate(ctx context.Context) error {
	now := t.now()
	docs, err := t.keyDocs(ctx)
	if err != nil {
		return err
	}
	next := monthOf(now.Add(keyAhead))
	for _, d := range docs {
		service, month, rotated := strings.Cut(d.ID, "|")
		var err error
		switch {
		case !rotated:
			_, err = t.adopt(ctx, service, monthOf(now))
		case month == monthOf(now) && next != month:
			_, err = t.key(ctx, service, next, true)
		case retired(month, now):
			_, err = t.keys.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}})
		}
		if err != nil {
			return fmt.Errorf("rotate blind-signing keys: %s: %w", d.ID, err)
		}
	}
	return t.dropSpent(ctx)
}

// keyDocs lists the keys' ids and legacy marks: a few small documents.
func (t *Tokens) keyDocs(ctx context.Context) ([]keyDoc, error) {
	cur, err := t.keys.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "legacy", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("rotate blind-signing keys: %w", err)
	}
	var docs []keyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("rotate blind-signing keys: %w", err)
	}
	return docs, nil
}

// dropSpent drops the spent marks of retired keys, and those of the tokens
// signed before rotation once no key from then is left.
func (t *Tokens) dropSpent(ctx context.Context) error {
	docs, err := t.keyDocs(ctx)
	if err != nil {
		return err
	}
	legacyLeft := false
	for _, d := range docs {
		legacyLeft = legacyLeft || d.Legacy || !strings.Contains(d.ID, "|")
	}
	names, err := t.spent.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("rotate blind-signing keys: list collections: %w", err)
	}
	now := t.now()
	for _, name := range names {
		month, ok := strings.CutPrefix(name, spentTokensPrefix)
		drop := ok && retired(strings.ReplaceAll(month, "_", "-"), now) || name == legacySpentTokens && !legacyLeft
		if !drop {
			continue
		}
		if err := t.spent.db.Collection(name).Drop(ctx); err != nil {
			return fmt.Errorf("rotate blind-signing keys: drop %s: %w", name, err)
		}
	}
	return nil
}
