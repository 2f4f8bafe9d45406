package survey

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// derived writes counters and comments behind the responses they come from.
// Work from many batches is merged and written at most every derivedInterval
// (sooner when flushed or closing), so under load one $inc per bucket and one
// insertMany carry hundreds of responses. (Measured: writing as fast as it
// could, the counter $inc alone took a fifth of the server's CPU under load.)
//
// If the process dies between a response's insert and its counters' update the
// counters fall short; `feedback counters rebuild` recomputes them from the
// responses, which are the record.
type derived struct {
	db  *mongo.Database
	log *slog.Logger

	mu       sync.Mutex
	inc      increments
	comments []Comment
	queued   uint64 // work items added
	written  uint64 // work items written (or given up on)
	changed  *sync.Cond
	closing  bool
	wake     chan struct{} // a flush or close wants the pending work now
	finished chan struct{}
}

// derivedInterval is the longest counters and comments lag behind responses.
const derivedInterval = 250 * time.Millisecond

func newDerived(db *mongo.Database, log *slog.Logger) *derived {
	d := &derived{db: db, log: log, inc: increments{}, wake: make(chan struct{}, 1), finished: make(chan struct{})}
	d.changed = sync.NewCond(&d.mu)
	go d.run()
	return d
}

// add queues the counters and comments of one committed batch.
func (d *derived) add(inc increments, comments []Comment) {
	if len(inc) == 0 && len(comments) == 0 {
		return
	}
	d.mu.Lock()
	inc.mergeInto(d.inc)
	d.comments = append(d.comments, comments...)
	d.queued++
	d.mu.Unlock()
	d.changed.Broadcast()
}

func (d *derived) run() {
	defer close(d.finished)
	for {
		d.mu.Lock()
		for len(d.inc) == 0 && len(d.comments) == 0 && !d.closing {
			d.changed.Wait()
		}
		if len(d.inc) == 0 && len(d.comments) == 0 && d.closing {
			d.mu.Unlock()
			return
		}
		inc, comments, upTo := d.inc, d.comments, d.queued
		d.inc, d.comments = increments{}, nil
		d.mu.Unlock()

		d.write(inc, comments)

		d.mu.Lock()
		d.written = upTo
		d.mu.Unlock()
		d.changed.Broadcast()

		// Let work gather before the next write, unless someone is waiting.
		select {
		case <-d.wake:
		case <-time.After(derivedInterval):
		}
	}
}

func (d *derived) nudge() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *derived) write(inc increments, comments []Comment) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if len(inc) > 0 {
		if err := d.writeCounters(ctx, inc.models()); err != nil {
			d.log.Error("update survey counters; run `feedback counters rebuild`", "err", err)
		}
	}
	if len(comments) > 0 {
		// One small collection per service and month: see CommentsCollection.
		if err := insertComments(ctx, d.db, comments); err != nil {
			d.log.Error("store survey comments; run `feedback counters rebuild`", "err", err)
		}
	}
}

// writeCounters applies the $inc upserts. When two instances create the same
// bucket at the same moment, one upsert loses the race with a duplicate key
// (the embedded store does not retry it as MongoDB does): the bucket exists
// now, so sending those upserts again adds their counts to it.
func (d *derived) writeCounters(ctx context.Context, models []mongo.WriteModel) error {
	coll := d.db.Collection(countersCollection)
	for attempt := 1; ; attempt++ {
		_, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		if err == nil {
			return nil
		}
		var bwe mongo.BulkWriteException
		if attempt == 3 || !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
			return err
		}
		var again []mongo.WriteModel
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 || we.Index < 0 || we.Index >= len(models) {
				return err
			}
			again = append(again, models[we.Index])
		}
		models = again
	}
}

// flush waits until everything added before the call is written.
func (d *derived) flush(ctx context.Context) error {
	d.mu.Lock()
	target := d.queued
	d.mu.Unlock()
	d.nudge()
	done := make(chan struct{})
	go func() {
		d.mu.Lock()
		for d.written < target && !d.isFinished() {
			d.changed.Wait()
		}
		d.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		d.changed.Broadcast()
		return ctx.Err()
	}
}

func (d *derived) isFinished() bool {
	select {
	case <-d.finished:
		return true
	default:
		return false
	}
}

// close writes what is left and stops.
func (d *derived) close() {
	d.mu.Lock()
	d.closing = true
	d.mu.Unlock()
	d.changed.Broadcast()
	d.nudge()
	<-d.finished
	d.changed.Broadcast()
}
