package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InsertIgnoringDuplicates inserts docs in batches of about 1,000, in order,
// never leaving a last batch of fewer than least; a document already stored
// (by an interrupted run) is not an error. A release writes through it, so a
// release run again writes nothing twice and no batch holds fewer than K.
func InsertIgnoringDuplicates(ctx context.Context, coll *mongo.Collection, docs []any, least int) error {
	for len(docs) > 0 {
		n := min(len(docs), 1000)
		if len(docs)-n < least {
			n = len(docs)
		}
		_, err := coll.InsertMany(ctx, docs[:n], options.InsertMany().SetOrdered(false))
		if err != nil && !OnlyDuplicates(err) {
			return err
		}
		docs = docs[n:]
	}
	return nil
}

// OnlyDuplicates says whether err, from an unordered insertMany, holds nothing
// but duplicate-key errors: every other document was stored.
func OnlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}
