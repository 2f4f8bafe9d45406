package survey

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

// More matching documents than SQLite takes variables in one statement are
// deleted all the same (the embedded store refused 87,000 in one deleteMany).
func TestDeleteAll_DeletesMoreThanOneStatementCanHold(t *testing.T) {
	if testing.Short() {
		t.Skip("40,000 documents")
	}
	if raceDetector {
		// Each try scans 40,000 documents; in the store's race-mode debug build one
		// scan nears the client's 30 s timeout. The limit it tests is SQLite's, not
		// a race: .ci/run runs it again without -race.
		t.Skip("scans 40,000 documents a try: run without -race (.ci/run does)")
	}
	st := storetest.New(t)
	coll := st.Database(store.SurveyDatabase).Collection("many")
	ctx := context.Background()
	docs := make([]any, 0, 1000)
	for i := range 40_000 {
		docs = append(docs, bson.D{{Key: "_id", Value: randomID()}, {Key: "box", Value: "2026-10"}})
		if len(docs) == cap(docs) || i == 39_999 {
			if err := insertIgnoringDuplicates(ctx, coll, docs, 1); err != nil {
				t.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "kept"}, {Key: "box", Value: "2026-11"}}); err != nil {
		t.Fatal(err)
	}
	if err := deleteAll(ctx, coll, bson.D{{Key: "box", Value: "2026-10"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Fatalf("%d documents left (%v), want only the other box's", n, err)
	}
}

// Ranges sized from the expected count tile every _id, hexadecimal or not,
// and leave what the filter does not match.
func TestDeleteAbout_RangesHoldEveryID(t *testing.T) {
	st := storetest.New(t)
	coll := st.Database(store.SurveyDatabase).Collection("some")
	ctx := context.Background()
	docs := []any{}
	for _, id := range []string{"", "0", "00000000", "0000000100", "7fffffff", "80000000", "A1", "Z", "ffffffff", "ffffffffff", "zzz", randomID(), randomID()} {
		docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "box", Value: "2026-10"}})
	}
	docs = append(docs, bson.D{{Key: "_id", Value: "kept"}, {Key: "box", Value: "2026-11"}})
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	// As if there were 200,000: eleven ranges.
	if err := deleteAbout(ctx, coll, bson.D{{Key: "box", Value: "2026-10"}}, 200_000); err != nil {
		t.Fatal(err)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Fatalf("%d documents left (%v), want only the other box's", n, err)
	}
}
