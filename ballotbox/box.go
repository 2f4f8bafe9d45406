package ballotbox

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hpke"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/store"
)

// A box gathers the ballots of one calendar month, of every service. Its
// document holds the month's public key (the private key is in the keyring,
// never in the database) and the state of its mixes (mix.go):
//
//	{_id: "2026-11", pub: <ML-KEM-768+X25519 public key>, gen: 3, …}
//
// A box made before the keyring holds a salt instead, its key derived from the
// sealing secret, until the keyring's holder reseals it (legacy.go). The
// document is deleted when the box is released, and the private key with it.
const boxesCollection = "ballot_boxes"

type boxDoc struct {
	Public []byte `bson:"pub"`
	Salt   []byte `bson:"salt"`
}

type boxes struct {
	coll   *mongo.Collection
	sealer *Sealer

	mu      sync.Mutex
	public  map[string]hpke.PublicKey // box → its public key, for boxes this process has used
	senders map[senderKey]*sender     // a sender per box and hour written
	below   map[string]belowSeen      // box → its mixed hours, as last read
}

type senderKey struct {
	box  string
	hour int
}

// belowSeen is a box's mixState.Below as read at a time.
type belowSeen struct {
	below int
	at    time.Time
}

// writerRefresh is how often a writer reads again which hours of its box
// have been mixed.
const writerRefresh = time.Minute

func newBoxes(db *mongo.Database, sealer *Sealer) *boxes {
	return &boxes{coll: db.Collection(boxesCollection), sealer: sealer,
		public: map[string]hpke.PublicKey{}, senders: map[senderKey]*sender{}, below: map[string]belowSeen{}}
}

// hour is the hour of box whose collection a ballot sealed at now goes into:
// now's, unless the box's mixes have gone past it (this instance's clock is
// behind the one that mixed), then the first hour not yet mixed. Read afresh
// every writerRefresh; if the box document cannot be read, now's hour.
func (b *boxes) hour(ctx context.Context, box string, now time.Time) int {
	b.mu.Lock()
	seen, ok := b.below[box]
	b.mu.Unlock()
	if !ok || now.Sub(seen.at) >= writerRefresh || now.Before(seen.at) {
		var st mixState
		if err := b.coll.FindOne(ctx, bson.D{{Key: "_id", Value: box}}).Decode(&st); err == nil {
			seen = belowSeen{below: st.Below, at: now}
			b.mu.Lock()
			b.below[box] = seen
			b.mu.Unlock()
		}
	}
	return max(hourOf(box, now), seen.below)
}

// sender returns the sender that seals the ballots of box's hour: one
// encapsulation an hour, in memory only.
func (b *boxes) sender(ctx context.Context, box string, hour int) (*sender, error) {
	b.mu.Lock()
	snd, ok := b.senders[senderKey{box, hour}]
	b.mu.Unlock()
	if ok {
		return snd, nil
	}
	pub, err := b.publicKey(ctx, box, true)
	if err != nil {
		return nil, err
	}
	if snd, err = newSender(box, pub); err != nil {
		return nil, err
	}
	b.mu.Lock()
	for k := range b.senders {
		if k.box == box && k.hour < hour {
			delete(b.senders, k) // an hour a writer has moved past
		}
	}
	b.senders[senderKey{box, hour}] = snd
	b.mu.Unlock()
	return snd, nil
}

// publicKey returns box's public key. With create, a box that does not exist
// yet is made: its key pair in the keyring, its public key in the database.
// An instance without a keyring cannot make one (errNoBox: the keyring's
// holder makes each month's box ahead of time, see PrepareBoxes).
func (b *boxes) publicKey(ctx context.Context, box string, create bool) (hpke.PublicKey, error) {
	b.mu.Lock()
	pub, ok := b.public[box]
	b.mu.Unlock()
	if ok {
		return pub, nil
	}
	doc, err := b.read(ctx, box)
	if errors.Is(err, errNoBox) && create && b.sealer.ring != nil || err == nil && doc.Public == nil && b.sealer.ring != nil {
		doc, err = b.make(ctx, box)
	}
	if err != nil {
		return nil, err
	}
	if doc.Public == nil {
		return nil, fmt.Errorf("ballot box %s has no public key yet: the instance holding the keyring reseals it", box)
	}
	if pub, err = KeyringKEM().NewPublicKey(doc.Public); err != nil {
		return nil, fmt.Errorf("the public key of ballot box %s: %w", box, err)
	}
	b.mu.Lock()
	b.public[box] = pub
	b.mu.Unlock()
	return pub, nil
}

var errNoBox = errors.New("no such ballot box")

func (b *boxes) read(ctx context.Context, box string) (boxDoc, error) {
	var doc boxDoc
	err := b.coll.FindOne(ctx, bson.D{{Key: "_id", Value: box}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return doc, errNoBox
	}
	if err != nil {
		return doc, fmt.Errorf("read ballot box %s: %w", box, err)
	}
	return doc, nil
}

// make makes box's key pair in the keyring and gives the box its public key:
// a new box by insert (every instance may race to make the month's box; the
// first insert wins), a box made before the keyring by update.
func (b *boxes) make(ctx context.Context, box string) (boxDoc, error) {
	private, err := b.sealer.ring.create(box)
	if err != nil {
		return boxDoc{}, err
	}
	pub := private.PublicKey().Bytes()
	_, err = b.coll.InsertOne(ctx, bson.D{{Key: "_id", Value: box}, {Key: "pub", Value: pub}})
	if store.IsDuplicateKey(err) {
		_, err = b.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: box}, {Key: "pub", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "pub", Value: pub}}}})
	}
	if err != nil {
		return boxDoc{}, fmt.Errorf("create ballot box %s: %w", box, err)
	}
	doc, err := b.read(ctx, box)
	if err == nil && !bytes.Equal(doc.Public, pub) {
		return doc, fmt.Errorf("ballot box %s was made with another keyring than %s: only one keyring may make boxes", box, b.sealer.ring.Dir())
	}
	return doc, err
}

// opener returns what opens box's ballots: its private key from the keyring,
// and for a box made before the keyring, its key derived from the sealing
// secret and the box's salt.
func (b *boxes) opener(ctx context.Context, box string) (*opener, error) {
	doc, err := b.read(ctx, box)
	if err != nil {
		return nil, err
	}
	var legacy []byte
	if doc.Salt != nil {
		if b.sealer.legacy == nil {
			return nil, fmt.Errorf("ballot box %s was sealed with the sealing secret, which this process was not given", box)
		}
		if legacy, err = b.sealer.legacyKey(box, doc.Salt); err != nil {
			return nil, err
		}
	}
	if b.sealer.ring == nil {
		return nil, fmt.Errorf("%w (%s): this instance has no keyring", ErrNoMonthKey, box)
	}
	private, err := b.sealer.ring.private(box)
	if err != nil && (doc.Public != nil || !errors.Is(err, ErrNoMonthKey)) {
		return nil, err
	}
	if private != nil && doc.Public != nil && !bytes.Equal(private.PublicKey().Bytes(), doc.Public) {
		return nil, fmt.Errorf("the keyring's key for %s is not the one its ballots were sealed to", box)
	}
	return newOpener(box, private, legacy), nil
}

// derivedKey is the key a release derives its _ids from: from the private
// key, so it is the same on every run of a release and gone with the key.
func (b *boxes) derivedKey(box string) ([]byte, error) {
	if b.sealer.ring == nil {
		return nil, fmt.Errorf("%w (%s): this instance has no keyring", ErrNoMonthKey, box)
	}
	private, err := b.sealer.ring.private(box)
	if err != nil {
		return nil, err
	}
	raw, err := private.Bytes()
	if err != nil {
		return nil, err
	}
	return hkdf.Key(sha256.New, raw, nil, "feedback release ids "+box, 32)
}

// forget drops a released box's keys from memory.
func (b *boxes) forget(box string) {
	b.mu.Lock()
	delete(b.public, box)
	delete(b.below, box)
	for k := range b.senders {
		if k.box == box {
			delete(b.senders, k)
		}
	}
	b.mu.Unlock()
}

// destroy deletes a released box's document, then its private key.
func (b *boxes) destroy(ctx context.Context, box string) error {
	b.forget(box)
	if _, err := b.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: box}}); err != nil {
		return fmt.Errorf("destroy ballot box %s: %w", box, err)
	}
	if b.sealer.ring == nil {
		return nil
	}
	return b.sealer.ring.destroy(box)
}

// PendingBoxes lists the months whose ballots are sealed and not yet released,
// oldest first. The boxes collection holds one small document a month.
func PendingBoxes(ctx context.Context, db *mongo.Database) ([]string, error) {
	cur, err := db.Collection(boxesCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list ballot boxes: %w", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list ballot boxes: %w", err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	sort.Strings(out)
	return out, nil
}

// ReleasedMonths lists the months whose release has written everything,
// oldest first: every month the service ran and has released, whatever its
// ballots numbered (a box is made for each month ahead of time and released
// empty or not), so it says when the survey was running and nothing about how
// many answered. One tiny document a month.
func ReleasedMonths(ctx context.Context, db *mongo.Database) ([]string, error) {
	cur, err := db.Collection(releasesCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list released months: %w", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list released months: %w", err)
	}
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		month, _, _ := strings.Cut(d.ID, "|")
		out = append(out, month)
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}
