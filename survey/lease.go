package survey

import (
	"context"
	"errors"
	"fmt"
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

// lease takes the release lease if nobody else holds it.
func (r *Releaser) lease(ctx context.Context) (bool, error) {
	coll := r.db.Collection(leasesCollection)
	now := r.opts.Now().UTC()
	doc := bson.D{{Key: "_id", Value: "release"}, {Key: "holder", Value: r.opts.Holder}, {Key: "until", Value: now.Add(leaseFor)}}
	_, err := coll.InsertOne(ctx, doc)
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, fmt.Errorf("take the release lease: %w", err)
	}
	filter := bson.D{{Key: "_id", Value: "release"}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "until", Value: bson.D{{Key: "$lt", Value: now}}}},
		bson.D{{Key: "holder", Value: r.opts.Holder}},
	}}}
	if r.opts.TakeLease {
		filter = bson.D{{Key: "_id", Value: "release"}}
	}
	res, err := coll.UpdateOne(ctx, filter,
		bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: r.opts.Holder}, {Key: "until", Value: now.Add(leaseFor)}}}})
	if err != nil {
		return false, fmt.Errorf("take the release lease: %w", err)
	}
	return res.MatchedCount == 1, nil
}

func (r *Releaser) unlease() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := r.db.Collection(leasesCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: "release"}, {Key: "holder", Value: r.opts.Holder}})
	if err != nil {
		r.opts.Logger.Error("give up the release lease", "err", err)
	}
}
