package loadtest

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/survey"
)

// Acknowledged names where the survey database holds every response the
// server has acknowledged: the sealed ballots not yet released (a collection
// per box and hour, and per mix: ballotbox.BallotCollections says which) and
// survey.ResponsesCollection, where ballots are released later.
const Acknowledged = "sealed ballots + responses"

// countBatch is how many _ids one getMore returns while counting.
const countBatch = 10_000

// Stored counts the acknowledged responses in db. It streams only the _ids
// of the collections that hold them in batches rather than asking the store to count:
// countDocuments is one call over the whole collection, which on the embedded
// store scans every document and outlasts the client's 30 s timeout near a
// million responses, while each batch here is bounded by that timeout on its
// own. progress, if set, hears the running total after each batch.
func Stored(ctx context.Context, db *mongo.Database, progress func(collection string, n int64)) (int64, error) {
	names, err := ballotbox.BallotCollections(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("list the sealed ballots: %w", err)
	}
	var total int64
	for _, name := range append(names, survey.ResponsesCollection) {
		n, err := countIDs(ctx, db.Collection(name), func(n int64) {
			if progress != nil {
				progress(name, total+n)
			}
		})
		if err != nil {
			return 0, fmt.Errorf("count %s.%s after %d documents: %w", db.Name(), name, total+n, err)
		}
		total += n
	}
	return total, nil
}

func countIDs(ctx context.Context, coll *mongo.Collection, batchDone func(int64)) (int64, error) {
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(countBatch)
	cur, err := coll.Find(ctx, bson.D{}, opts)
	if err != nil {
		return 0, err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var n int64
	for cur.Next(ctx) {
		n++
		if cur.RemainingBatchLength() == 0 {
			batchDone(n)
		}
	}
	return n, cur.Err()
}
