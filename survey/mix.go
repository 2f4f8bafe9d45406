package survey

import (
	"context"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A store keeps rows in the order they were written, so the ballots of a month
// not yet released lie in the order they arrived. Anyone who later held a copy
// of the disk and the sealing secret could open them in that order. A mix
// takes that order away: it copies every ballot of a box, resealed, under a
// random _id, in a random order, then empties the originals (a tombstone keeps
// each original _id, so a replay of its form is still refused) and deletes
// the copies of earlier mixes. Serve mixes every open box each hour that new
// ballots arrived; only ballots that came since the last mix keep their order.
//
// The box document records the mix's state, so a mix cut short is rolled back
// (while copying) or finished (while cleaning up) by the next mix or release:
//
//	{_id: "2026-11", salt, gen: 3, next: 4, mixing: "copying" | "cleaning" | ""}

const (
	mixCopying  = "copying"
	mixCleaning = "cleaning"
)

type mixState struct {
	Gen    int    `bson:"gen"`
	Next   int    `bson:"next"`
	Mixing string `bson:"mixing"`
}

func (r *Releaser) mixState(ctx context.Context, box string) (mixState, error) {
	var st mixState
	err := r.db.Collection(boxesCollection).FindOne(ctx, bson.D{{Key: "_id", Value: box}}).Decode(&st)
	if err != nil {
		return st, fmt.Errorf("read the mix state of %s: %w", box, err)
	}
	return st, nil
}

func (r *Releaser) setMixState(ctx context.Context, box string, st mixState) error {
	_, err := r.db.Collection(boxesCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: box}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "gen", Value: st.Gen}, {Key: "next", Value: st.Next}, {Key: "mixing", Value: st.Mixing}}}})
	if err != nil {
		return fmt.Errorf("record the mix state of %s: %w", box, err)
	}
	return nil
}

// MixPending mixes every box not yet due for release that has ballots
// written since its last mix, under the release lease. It returns how many
// ballots it mixed.
func (r *Releaser) MixPending(ctx context.Context) (int, error) {
	r.busy.Lock()
	defer r.busy.Unlock()
	pending, err := PendingBoxes(ctx, r.db)
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	due, err := r.Due(ctx)
	if err != nil {
		return 0, err
	}
	var boxes []string
	for _, b := range pending {
		if !slices.Contains(due, b) { // about to be released: no point mixing
			boxes = append(boxes, b)
		}
	}
	held, err := r.lease(ctx)
	if err != nil {
		return 0, err
	}
	if !held {
		return 0, ErrLeaseHeld
	}
	defer r.unlease()
	total := 0
	for _, box := range boxes {
		n, err := r.Mix(ctx, box)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Mix mixes one box if ballots arrived since its last mix; it returns how many
// ballots the box held then.
func (r *Releaser) Mix(ctx context.Context, box string) (int, error) {
	ctx, cancel := longRunning(ctx)
	defer cancel()
	key, err := r.boxes.key(ctx, box, true)
	if errors.Is(err, errNoBox) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	st, err := r.settleMix(ctx, box)
	if err != nil {
		return 0, err
	}
	ballots := r.db.Collection(ballotsCollection)
	fresh := bson.D{{Key: "box", Value: box}, {Key: "c", Value: bson.D{{Key: "$exists", Value: true}}},
		{Key: "m", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "claim", Value: bson.D{{Key: "$exists", Value: false}}}}
	if err := ballots.FindOne(ctx, fresh).Err(); errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil // nothing arrived since the last mix
	} else if err != nil {
		return 0, fmt.Errorf("look for new ballots of %s: %w", box, err)
	}
	g := st.Gen + 1
	if err := r.setMixState(ctx, box, mixState{Gen: st.Gen, Next: g, Mixing: mixCopying}); err != nil {
		return 0, err
	}
	if _, err := ballots.UpdateMany(ctx, fresh, bson.D{{Key: "$set", Value: bson.D{{Key: "claim", Value: g}}}}); err != nil {
		return 0, fmt.Errorf("claim new ballots of %s: %w", box, err)
	}
	n, err := r.copyBallots(ctx, box, key, g)
	if err != nil {
		return n, err
	}
	if err := r.setMixState(ctx, box, mixState{Gen: st.Gen, Next: g, Mixing: mixCleaning}); err != nil {
		return n, err
	}
	if err := r.cleanMix(ctx, box, g); err != nil {
		return n, err
	}
	if r.opts.AfterRelease != nil {
		if err := r.opts.AfterRelease(ctx); err != nil {
			return n, fmt.Errorf("after mixing %s: %w", box, err)
		}
	}
	return n, nil
}

// settleMix rolls back a mix cut short while copying, or finishes one cut
// short while cleaning up, and returns the box's settled state.
func (r *Releaser) settleMix(ctx context.Context, box string) (mixState, error) {
	st, err := r.mixState(ctx, box)
	if err != nil {
		return st, err
	}
	switch st.Mixing {
	case mixCopying:
		// Its copies are incomplete: drop them; the claimed originals are intact.
		if err := deleteAll(ctx, r.db.Collection(ballotsCollection), bson.D{{Key: "box", Value: box}, {Key: "m", Value: st.Next}}); err != nil {
			return st, fmt.Errorf("roll back a mix of %s: %w", box, err)
		}
	case mixCleaning:
		if err := r.cleanMix(ctx, box, st.Next); err != nil {
			return st, err
		}
		st.Gen = st.Next
	default:
		return st, nil
	}
	st.Next, st.Mixing = st.Gen, ""
	return st, r.setMixState(ctx, box, st)
}

// copyBallots copies the claimed ballots and the copies of earlier mixes,
// resealed under random _ids, in a random order, as generation g.
func (r *Releaser) copyBallots(ctx context.Context, box string, key []byte, g int) (int, error) {
	ballots := r.db.Collection(ballotsCollection)
	filter := bson.D{{Key: "box", Value: box}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "claim", Value: g}},
		bson.D{{Key: "m", Value: bson.D{{Key: "$lt", Value: g}}}},
	}}}
	cur, err := ballots.Find(ctx, filter, options.Find().SetBatchSize(1000))
	if err != nil {
		return 0, fmt.Errorf("read ballots of %s to mix: %w", box, err)
	}
	defer cur.Close(ctx)
	var copies []any
	for cur.Next(ctx) {
		var doc ballotDoc
		if err := cur.Decode(&doc); err != nil {
			return 0, fmt.Errorf("read ballots of %s to mix: %w", box, err)
		}
		payload, err := open(key, box, doc.ID, doc.Sealed)
		if err != nil {
			return 0, fmt.Errorf("open a ballot of %s to mix: %w", box, err)
		}
		id := randomID()
		sealed, err := r.opts.Sealer.seal(key, box, id, payload)
		if err != nil {
			return 0, err
		}
		copies = append(copies, ballotDoc{ID: id, Box: box, Sealed: sealed, Mix: g})
	}
	if err := cur.Err(); err != nil {
		return 0, fmt.Errorf("read ballots of %s to mix: %w", box, err)
	}
	mathrand.Shuffle(len(copies), func(i, j int) { copies[i], copies[j] = copies[j], copies[i] })
	if err := insertIgnoringDuplicates(ctx, ballots, copies, 1); err != nil {
		return 0, fmt.Errorf("write mixed ballots of %s: %w", box, err)
	}
	return len(copies), nil
}

// cleanMix empties the ballots generation g copied (tombstones keep their
// _ids) and deletes earlier generations' copies, then records g as done.
func (r *Releaser) cleanMix(ctx context.Context, box string, g int) error {
	ballots := r.db.Collection(ballotsCollection)
	_, err := ballots.UpdateMany(ctx, bson.D{{Key: "box", Value: box}, {Key: "claim", Value: g}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "c", Value: ""}, {Key: "claim", Value: ""}}}, {Key: "$set", Value: bson.D{{Key: "t", Value: true}}}})
	if err != nil {
		return fmt.Errorf("empty mixed ballots of %s: %w", box, err)
	}
	if err := deleteAll(ctx, ballots, bson.D{{Key: "box", Value: box}, {Key: "m", Value: bson.D{{Key: "$lt", Value: g}}}}); err != nil {
		return fmt.Errorf("delete earlier mixes of %s: %w", box, err)
	}
	return r.setMixState(ctx, box, mixState{Gen: g, Next: g})
}
