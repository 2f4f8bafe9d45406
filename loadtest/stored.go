package loadtest

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AcknowledgedCollections are the survey-database collections that together
// hold every response the server has acknowledged: "ballots", where a
// response is first stored sealed, and "responses", where ballots are
// released later. A collection that does not exist (yet) holds none. This is
// the one place the load tool says where stored responses live.
var AcknowledgedCollections = []string{"ballots", "responses"}

// countBatch is how many _ids one getMore returns while counting.
const countBatch = 10_000

// Stored counts the acknowledged responses in db. It streams only the _ids
// of AcknowledgedCollections in batches rather than asking the store to count:
// countDocuments is one call over the whole collection, which on the embedded
// store scans every document and outlasts the client's 30 s timeout near a
// million responses, while each batch here is bounded by that timeout on its
// own. progress, if set, hears the running total after each batch.
func Stored(ctx context.Context, db *mongo.Database, progress func(collection string, n int64)) (int64, error) {
	var total int64
	for _, name := range AcknowledgedCollections {
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
