package ballotbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ErrLeaseHeld means another process holds the release lease (it is
// releasing now, or it stopped while releasing and its lease has not expired).
var ErrLeaseHeld = errors.New("another process holds the release lease")

// leasesCollection holds the release lease: one document naming the instance
// that may release, until when.
const leasesCollection = "leases"

const leaseFor = 10 * time.Minute

// lease takes the release lease if nobody else holds it, and keeps it, renewed
// every leaseFor/3, until unlease: a release or mix of a national month runs
// longer than leaseFor.
func (r *Releaser) lease(ctx context.Context) (bool, error) {
	coll := r.db.Collection(leasesCollection)
	held, err := takeLease(ctx, coll, r.opts.Holder, r.opts.Now, r.opts.TakeLease)
	if err != nil || !held {
		return held, err
	}
	r.renewing = keepLease(coll, r.opts.Holder, r.opts.Now, r.opts.Logger)
	return true, nil
}

func takeLease(ctx context.Context, coll *mongo.Collection, holder string, clock func() time.Time, take bool) (bool, error) {
	now := clock().UTC()
	doc := bson.D{{Key: "_id", Value: "release"}, {Key: "holder", Value: holder}, {Key: "until", Value: now.Add(leaseFor)}}
	_, err := coll.InsertOne(ctx, doc)
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, fmt.Errorf("take the release lease: %w", err)
	}
	filter := bson.D{{Key: "_id", Value: "release"}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "until", Value: bson.D{{Key: "$lt", Value: now}}}},
		bson.D{{Key: "holder", Value: holder}},
	}}}
	if take {
		filter = bson.D{{Key: "_id", Value: "release"}}
	}
	res, err := coll.UpdateOne(ctx, filter,
		bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: holder}, {Key: "until", Value: now.Add(leaseFor)}}}})
	if err != nil {
		return false, fmt.Errorf("take the release lease: %w", err)
	}
	return res.MatchedCount == 1, nil
}

// keepLease renews holder's lease every leaseFor/3 until the returned
// function is called; a renewal that finds the lease taken by another is
// logged (the other took it after it had expired: a renewal was missed).
func keepLease(coll *mongo.Collection, holder string, clock func() time.Time, logger *slog.Logger) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(leaseFor / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "release"}, {Key: "holder", Value: holder}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: clock().UTC().Add(leaseFor)}}}})
			cancel()
			if err != nil || res.MatchedCount != 1 {
				logger.Error("renew the release lease", "err", err, "held", err == nil && res.MatchedCount == 1)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

func (r *Releaser) unlease() {
	if r.renewing != nil {
		r.renewing()
		r.renewing = nil
	}
	giveUpLease(r.db.Collection(leasesCollection), r.opts.Holder, r.opts.Logger)
}

func giveUpLease(coll *mongo.Collection, holder string, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: "release"}, {Key: "holder", Value: holder}}); err != nil {
		logger.Error("give up the release lease", "err", err)
	}
}

// HoldReleaseLease takes the release lease of the survey database db for
// holder, waiting while another process holds it (waiting, if set, hears
// each wait), and keeps it until the returned function is called. While it
// is held no instance mixes or releases ballots, so a backup reads every
// box's collections in one state, not some before a mix and some after.
func HoldReleaseLease(ctx context.Context, db *mongo.Database, holder string, now func() time.Time, waiting func()) (func(), error) {
	coll := db.Collection(leasesCollection)
	for {
		held, err := takeLease(ctx, coll, holder, now, false)
		if err != nil {
			return nil, err
		}
		if held {
			stop := keepLease(coll, holder, now, slog.Default())
			return func() {
				stop()
				giveUpLease(coll, holder, slog.Default())
			}, nil
		}
		if waiting != nil {
			waiting()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
}
