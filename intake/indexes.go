package intake

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// EnsureIndexes creates this package's indexes; running it again changes
// nothing. The embedded store keeps them but answers every query by scanning;
// on MongoDB they make the lookups cheap. The outbox needs no unique index of
// its own: its _id is the contact id.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	idx := map[string][]mongo.IndexModel{
		collPeople: {
			{Keys: bson.D{{Key: "last_contact_at", Value: 1}}},
		},
		collContacts: {
			{Keys: bson.D{{Key: "person_id", Value: 1}, {Key: "opened_at", Value: 1}}},
			{Keys: bson.D{{Key: "opened_at", Value: 1}}},
		},
		collOutbox: {
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "next_attempt_at", Value: 1}}},
			{Keys: bson.D{{Key: "person_id", Value: 1}}},
		},
		collPractitioners: {
			{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "name", Value: 1}}},
		},
	}
	// One at a time: on the embedded store (FerretDB 1.24), createIndexes with
	// several indexes that all exist already drops the connection.
	for _, coll := range []string{collPeople, collContacts, collOutbox, collPractitioners} {
		for _, m := range idx[coll] {
			if _, err := s.coll(coll).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("ensure indexes on %s: %w", coll, err)
			}
		}
	}
	return s.backfillBirthdays(ctx)
}
