package survey

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// legacyBallot is a ballot as versions before the collections of
// collections.go kept it: every box in one collection, mixed in place.
type legacyBallot struct {
	ID     string `bson:"_id"`
	Box    string `bson:"box"`
	Sealed []byte `bson:"c,omitempty"`
	Mix    int    `bson:"m,omitempty"`     // a mix's copy, of this generation
	Claim  int    `bson:"claim,omitempty"` // an original a mix was copying
	Tomb   bool   `bson:"t,omitempty"`     // an original already copied: its _id only
}

// migrateLegacyBallots moves the ballots of the one collection earlier
// versions kept into the layout of collections.go: each box's live ballots
// (its last mix's copies and the originals not yet mixed, as its mix state
// says) into its hour 0, which the next mix or release takes like any closed
// hour, and every original's _id into its guard; then it drops the old
// collection and resets the boxes' mix state. Cut short, it runs again from
// the start: every insert ignores what is already there.
func migrateLegacyBallots(ctx context.Context, db *mongo.Database) error {
	names, err := db.ListCollectionNames(ctx, bson.D{{Key: "name", Value: legacyBallotsCollection}})
	if err != nil {
		return fmt.Errorf("look for ballots of an earlier version: %w", err)
	}
	if len(names) == 0 {
		return nil
	}
	ctx, cancel := longRunning(ctx)
	defer cancel()
	boxes, err := PendingBoxes(ctx, db)
	if err != nil {
		return err
	}
	states := map[string]mixState{}
	for _, box := range boxes {
		if states[box], err = readMixState(ctx, db, box); err != nil {
			return err
		}
	}
	if err := moveLegacyBallots(ctx, db, states); err != nil {
		return err
	}
	if err := dropCollections(ctx, db, legacyBallotsCollection); err != nil {
		return err
	}
	for _, box := range boxes {
		_, err := db.Collection(boxesCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: box}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "gen", Value: 0}, {Key: "count", Value: 0}, {Key: "next", Value: 0}, {Key: "next_count", Value: 0},
			{Key: "mixing", Value: ""}, {Key: "hours", Value: bson.A{}}, {Key: "below", Value: 0},
		}}})
		if err != nil {
			return fmt.Errorf("reset the mix state of %s: %w", box, err)
		}
	}
	return nil
}

// live says whether a legacy ballot of a box in state st is to be released.
func (b legacyBallot) live(st mixState) bool {
	switch {
	case b.Tomb || b.Sealed == nil:
		return false
	case b.Mix != 0 && st.Mixing == mixCleaning:
		return b.Mix == st.Next
	case b.Mix != 0:
		return b.Mix == st.Gen
	case st.Mixing == mixCleaning:
		return b.Claim != st.Next // the claimed ones are in the copies
	}
	return true
}

func moveLegacyBallots(ctx context.Context, db *mongo.Database, states map[string]mixState) error {
	cur, err := db.Collection(legacyBallotsCollection).Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("read ballots of an earlier version: %w", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	pending := map[string][]any{} // collection → documents to insert
	flush := func(name string) error {
		if err := insertIgnoringDuplicates(ctx, db.Collection(name), pending[name], 1); err != nil {
			return fmt.Errorf("move ballots of an earlier version into %s: %w", name, err)
		}
		delete(pending, name)
		return nil
	}
	for cur.Next(ctx) {
		var b legacyBallot
		if err := cur.Decode(&b); err != nil {
			return fmt.Errorf("read ballots of an earlier version: %w", err)
		}
		var add []string
		if b.Mix == 0 {
			add = append(add, guardCollection(b.Box))
		}
		if b.live(states[b.Box]) {
			add = append(add, hourCollection(b.Box, 0))
		}
		for _, name := range add {
			doc := any(bson.D{{Key: "_id", Value: b.ID}})
			if name != guardCollection(b.Box) {
				doc = ballotDoc{ID: b.ID, Sealed: b.Sealed}
			}
			if pending[name] = append(pending[name], doc); len(pending[name]) == 1000 {
				if err := flush(name); err != nil {
					return err
				}
			}
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("read ballots of an earlier version: %w", err)
	}
	for name := range pending {
		if err := flush(name); err != nil {
			return err
		}
	}
	return nil
}
