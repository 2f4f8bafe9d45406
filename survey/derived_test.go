package survey

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

// Two instances creating the same counters bucket at the same moment both
// count: the upsert that loses the race is sent again, not dropped.
func TestCounters_TwoWritersCreatingOneBucketBothCount(t *testing.T) {
	db := storetest.New(t).Database(store.SurveyDatabase)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	writers := []*derived{newDerived(db, quiet), newDerived(db, quiet)}
	for _, w := range writers {
		t.Cleanup(w.close)
	}
	const rounds = 40
	for i := 0; i < rounds; i++ {
		id := fmt.Sprintf("counselling|v1|round-%d", i)
		var wg sync.WaitGroup
		for _, w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				model := mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).
					SetUpdate(bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}).SetUpsert(true)
				if err := w.writeCounters(context.Background(), []mongo.WriteModel{model}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	var docs []CounterDoc
	cur, err := db.Collection(countersCollection).Find(context.Background(), bson.D{})
	if err != nil || cur.All(context.Background(), &docs) != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.N != 2 {
			t.Errorf("bucket %s counts %d, want 2", d.ID, d.N)
		}
	}
	if len(docs) != rounds {
		t.Errorf("%d buckets, want %d", len(docs), rounds)
	}
}
