package ballotbox

import (
	"context"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// A store keeps rows in the order they were written, so the ballots of an hour
// lie in the order they arrived. Anyone who later held a copy of the disk and
// the sealing secret could open them in that order. The hourly mix takes that
// order away: it reads the box's hours that have closed and its last
// generation, and writes them all, resealed under random _ids, as the next
// generation, in a uniformly random order; then it drops what it read. Only
// the ballots of hours not yet mixed keep their order, and only their hour.
//
// Every step is a bulk read, a bulk insert or a drop, so a mix costs time in
// proportion to the box, never to its square. The box document records the
// mix's state, so a mix cut short is rolled back (while copying) or finished
// (while cleaning up) by the next mix or release:
//
//	{_id: "2026-11", salt, gen: 3, count: 912, next: 4, mixing: "copying" | "cleaning" | "",
//	 hours: [686, 687], below: 688}

const (
	mixCopying  = "copying"
	mixCleaning = "cleaning"
)

// MixGrace is how long after an hour ends its ballots are mixed: an instance
// whose clock is a little behind may still be writing that hour's ballots.
// Instances' clocks agree within this if NTP runs (within a second); one
// further behind moves on to the first hour not yet mixed when it reads the
// box document again, which it does every writerRefresh, and a mix waits
// that long (MixWait) before it reads the hours it takes.
const MixGrace = 15 * time.Minute

type mixState struct {
	Gen       int    `bson:"gen"`
	Count     int    `bson:"count"` // ballots in generation Gen
	Next      int    `bson:"next"`
	NextCount int    `bson:"next_count"`
	Mixing    string `bson:"mixing"`
	Hours     []int  `bson:"hours"` // the hours the mix under way copies
	// Below: every hour below it has been mixed (or is being): a writer whose
	// clock is behind writes into hour Below instead.
	Below int `bson:"below"`
}

func readMixState(ctx context.Context, db *mongo.Database, box string) (mixState, error) {
	var st mixState
	err := db.Collection(boxesCollection).FindOne(ctx, bson.D{{Key: "_id", Value: box}}).Decode(&st)
	if err != nil {
		return st, fmt.Errorf("read the mix state of %s: %w", box, err)
	}
	return st, nil
}

func (r *Releaser) setMixState(ctx context.Context, box string, st mixState) error {
	_, err := r.db.Collection(boxesCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: box}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "gen", Value: st.Gen}, {Key: "count", Value: st.Count},
			{Key: "next", Value: st.Next}, {Key: "next_count", Value: st.NextCount},
			{Key: "mixing", Value: st.Mixing}, {Key: "hours", Value: st.Hours}, {Key: "below", Value: st.Below},
		}}})
	if err != nil {
		return fmt.Errorf("record the mix state of %s: %w", box, err)
	}
	return nil
}

// MixPending mixes every box not yet due for release that has hours closed
// since its last mix, under the release lease. It returns how many ballots
// it mixed.
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

// Mix mixes one box's closed hours into its next generation; it returns how
// many ballots the new generation holds (0: no hour had closed).
func (r *Releaser) Mix(ctx context.Context, box string) (int, error) {
	return r.mix(ctx, box, false)
}

// mix mixes box's closed hours, or with all every hour it has (a reseal).
func (r *Releaser) mix(ctx context.Context, box string, all bool) (int, error) {
	ctx, cancel := longRunning(ctx)
	defer cancel()
	op, err := r.boxes.opener(ctx, box)
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
	cols, err := collectionsOf(ctx, r.db, box)
	if err != nil {
		return 0, err
	}
	hours := closedHours(box, cols.hours, r.opts.Now())
	if all {
		hours = cols.hours
	}
	if len(hours) == 0 && !(all && st.Gen > 0) {
		return 0, nil
	}
	st.Next, st.NextCount, st.Mixing, st.Hours = st.Gen+1, 0, mixCopying, hours
	if len(hours) > 0 {
		st.Below = max(st.Below, hours[len(hours)-1]+1)
	}
	if err := r.setMixState(ctx, box, st); err != nil {
		return 0, err
	}
	if err := r.waitForWriters(ctx); err != nil {
		return 0, err
	}
	fresh, err := r.readFresh(ctx, box, op, hours)
	if err != nil {
		return 0, err
	}
	if r.afterRead != nil {
		r.afterRead()
	}
	n := st.Count
	if len(fresh) == 0 && !all {
		st.Next = st.Gen // nothing new (an hour whose inserts failed): drop the empty hours only
	} else if n, err = r.writeMerged(ctx, box, op, st, fresh); err != nil {
		return 0, err
	}
	st.Mixing, st.NextCount = mixCleaning, n
	if err := r.setMixState(ctx, box, st); err != nil {
		return n, err
	}
	if err := r.cleanMix(ctx, box, st); err != nil {
		return n, err
	}
	if r.opts.AfterRelease != nil {
		if err := r.opts.AfterRelease(ctx); err != nil {
			return n, fmt.Errorf("after mixing %s: %w", box, err)
		}
	}
	return n, nil
}

// waitForWriters waits MixWait: by then every instance has read the box's
// Below again and writes past the hours being mixed, whatever its clock says.
func (r *Releaser) waitForWriters(ctx context.Context) error {
	if r.opts.MixWait <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(r.opts.MixWait):
		return nil
	}
}

// closedHours are those of hours that ended MixGrace or more before now.
func closedHours(box string, hours []int, now time.Time) []int {
	var out []int
	for _, h := range hours {
		if !hourEnd(box, h).Add(MixGrace).After(now) {
			out = append(out, h)
		}
	}
	return out
}

// settleMix rolls back a mix cut short while copying, or finishes one cut
// short while cleaning up, and returns the box's settled state.
func (r *Releaser) settleMix(ctx context.Context, box string) (mixState, error) {
	st, err := readMixState(ctx, r.db, box)
	if err != nil {
		return st, err
	}
	switch st.Mixing {
	case mixCopying:
		// Its copies are incomplete: drop them; what they copied is intact.
		if err := dropCollections(ctx, r.db, generationCollection(box, st.Next)); err != nil {
			return st, fmt.Errorf("roll back a mix of %s: %w", box, err)
		}
		st.Next, st.NextCount, st.Mixing, st.Hours = st.Gen, 0, "", nil
		return st, r.setMixState(ctx, box, st)
	case mixCleaning:
		if err := r.cleanMix(ctx, box, st); err != nil {
			return st, err
		}
		return readMixState(ctx, r.db, box)
	}
	return st, nil
}

// readFresh opens the ballots of hours, each _id once, and enters each _id
// in the box's guard, in case its submission could not.
func (r *Releaser) readFresh(ctx context.Context, box string, op *opener, hours []int) ([][]byte, error) {
	seen := map[string]bool{}
	var fresh [][]byte
	var guards []any
	for _, h := range hours {
		err := eachBallot(ctx, r.db.Collection(hourCollection(box, h)), func(d ballotDoc) error {
			if seen[d.ID] {
				return nil
			}
			seen[d.ID] = true
			payload, err := op.open(d.ID, d.Sealed)
			if err != nil {
				return fmt.Errorf("open a ballot of %s to mix: %w", box, err)
			}
			fresh = append(fresh, payload)
			guards = append(guards, bson.D{{Key: "_id", Value: d.ID}})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read ballots of %s to mix: %w", box, err)
		}
	}
	if err := store.InsertIgnoringDuplicates(ctx, r.db.Collection(guardCollection(box)), guards, 1); err != nil {
		return nil, fmt.Errorf("guard ballots of %s: %w", box, err)
	}
	return fresh, nil
}

// writeMerged writes generation st.Next: the fresh ballots in a random order,
// each put at a uniformly random place among generation st.Gen's, which are
// read in the order the store keeps them (already random: the previous mix's)
// and so never all held in memory. Every ballot is resealed under a random
// _id. A uniformly random interleaving of a random order with a shuffled one
// is a uniformly random order of the whole.
func (r *Releaser) writeMerged(ctx context.Context, box string, op *opener, st mixState, fresh [][]byte) (int, error) {
	pub, err := r.boxes.publicKey(ctx, box, false)
	if err != nil {
		return 0, err
	}
	snd, err := newSender(box, pub) // one encapsulation a generation
	if err != nil {
		return 0, err
	}
	mathrand.Shuffle(len(fresh), func(i, j int) { fresh[i], fresh[j] = fresh[j], fresh[i] })
	m := &merger{box: box, op: op, fresh: fresh, left: st.Count, done: st.Gen == 0}
	if st.Gen > 0 {
		cur, err := r.db.Collection(generationCollection(box, st.Gen)).Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
		if err != nil {
			return 0, fmt.Errorf("read the last mix of %s: %w", box, err)
		}
		defer cur.Close(context.WithoutCancel(ctx))
		m.cur = cur
	}
	out := r.db.Collection(generationCollection(box, st.Next))
	written := 0
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := out.InsertMany(ctx, batch); err != nil {
			return fmt.Errorf("write mixed ballots of %s: %w", box, err)
		}
		written, batch = written+len(batch), batch[:0]
		return nil
	}
	for {
		payload, ok, err := m.next(ctx)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		id := survey.NewID()
		sealed, err := r.opts.Sealer.seal(snd, id, payload)
		if err != nil {
			return 0, err
		}
		if batch = append(batch, ballotDoc{ID: id, Sealed: sealed}); len(batch) == 1000 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	return written, flush()
}

// merger gives the payloads of a mix in their new order: at each step a
// fresh one with probability fresh/(fresh + left), else the last
// generation's next.
type merger struct {
	box   string
	op    *opener
	fresh [][]byte
	cur   *mongo.Cursor // the last generation; nil: none
	left  int           // of the last generation, not yet given (as recorded)
	done  bool          // the last generation is all given
}

func (m *merger) next(ctx context.Context) ([]byte, bool, error) {
	for {
		if len(m.fresh) > 0 && (m.done || m.left <= 0 || mathrand.IntN(m.left+len(m.fresh)) < len(m.fresh)) {
			p := m.fresh[0]
			m.fresh = m.fresh[1:]
			return p, true, nil
		}
		if m.done {
			return nil, false, nil
		}
		if !m.cur.Next(ctx) {
			if err := m.cur.Err(); err != nil {
				return nil, false, fmt.Errorf("read the last mix of %s: %w", m.box, err)
			}
			m.done = true
			continue
		}
		var d ballotDoc
		if err := m.cur.Decode(&d); err != nil {
			return nil, false, fmt.Errorf("read the last mix of %s: %w", m.box, err)
		}
		p, err := m.op.open(d.ID, d.Sealed)
		if err != nil {
			return nil, false, fmt.Errorf("open a mixed ballot of %s: %w", m.box, err)
		}
		m.left--
		return p, true, nil
	}
}

// cleanMix drops what generation st.Next copied (its hours and every earlier
// generation), then records st.Next as the box's generation.
func (r *Releaser) cleanMix(ctx context.Context, box string, st mixState) error {
	cols, err := collectionsOf(ctx, r.db, box)
	if err != nil {
		return err
	}
	var drop []string
	for _, h := range st.Hours {
		drop = append(drop, hourCollection(box, h))
	}
	for _, g := range cols.gens {
		if g < st.Next {
			drop = append(drop, generationCollection(box, g))
		}
	}
	if err := dropCollections(ctx, r.db, drop...); err != nil {
		return fmt.Errorf("clean up a mix of %s: %w", box, err)
	}
	return r.setMixState(ctx, box, mixState{Gen: st.Next, Count: st.NextCount, Next: st.Next, Below: st.Below})
}
