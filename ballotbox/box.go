package ballotbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/store"
)

// A box gathers the ballots of one calendar month, of every service. Its key
// derives from the sealing secret and the box's salt; the salt lives in the
// small boxes collection (one document a month) and is deleted when the box is
// released, which destroys the key.
//
//	{_id: "2026-11", salt: <32 random bytes>}
const boxesCollection = "ballot_boxes"

type boxes struct {
	coll   *mongo.Collection
	sealer *Sealer

	mu    sync.Mutex
	keys  map[string][]byte    // box → key, for boxes this process has used
	below map[string]belowSeen // box → its mixed hours, as last read
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
	return &boxes{coll: db.Collection(boxesCollection), sealer: sealer, keys: map[string][]byte{}, below: map[string]belowSeen{}}
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

// key returns the key of box, creating the box unless onlyExisting.
func (b *boxes) key(ctx context.Context, box string, onlyExisting bool) ([]byte, error) {
	b.mu.Lock()
	k, ok := b.keys[box]
	b.mu.Unlock()
	if ok {
		return k, nil
	}
	if !onlyExisting {
		salt := make([]byte, 32)
		_, _ = rand.Read(salt)
		// Every instance races to create the month's box; the first insert wins
		// and the others read its salt.
		_, err := b.coll.InsertOne(ctx, bson.D{{Key: "_id", Value: box}, {Key: "salt", Value: salt}})
		if err != nil && !store.IsDuplicateKey(err) {
			return nil, fmt.Errorf("create ballot box %s: %w", box, err)
		}
	}
	var doc struct {
		Salt []byte `bson:"salt"`
	}
	err := b.coll.FindOne(ctx, bson.D{{Key: "_id", Value: box}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoBox
	}
	if err != nil {
		return nil, fmt.Errorf("read ballot box %s: %w", box, err)
	}
	k, err = b.sealer.boxKey(box, doc.Salt)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.keys[box] = k
	b.mu.Unlock()
	return k, nil
}

var errNoBox = errors.New("no such ballot box")

// forget drops a released box's key from memory.
func (b *boxes) forget(box string) {
	b.mu.Lock()
	delete(b.keys, box)
	delete(b.below, box)
	b.mu.Unlock()
}

// destroy deletes a released box's salt, and so its key.
func (b *boxes) destroy(ctx context.Context, box string) error {
	b.forget(box)
	if _, err := b.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: box}}); err != nil {
		return fmt.Errorf("destroy the key of ballot box %s: %w", box, err)
	}
	return nil
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
