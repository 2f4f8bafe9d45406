package loadtest_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/loadtest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

func TestStored_CountsResponsesAndBallotsInBatchesAndNeedsNoBallots(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).Database(store.SurveyDatabase)
	insert := func(coll string, n int) {
		t.Helper()
		docs := make([]any, n)
		for i := range docs {
			docs[i] = bson.D{{Key: "_id", Value: fmt.Sprintf("%s-%d", coll, i)}}
		}
		if _, err := db.Collection(coll).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	// Responses only: no ballots collection exists yet.
	insert("responses", 25_000)
	var reports []string
	n, err := loadtest.Stored(ctx, db, func(coll string, n int64) { reports = append(reports, fmt.Sprint(coll, " ", n)) })
	if err != nil || n != 25_000 {
		t.Fatalf("stored %d, %v; want 25000", n, err)
	}
	if fmt.Sprint(reports) != "[responses 10000 responses 20000 responses 25000]" {
		t.Errorf("progress %v", reports)
	}
	// Sealed ballots are counted too: TestRun_EveryAcknowledgedResponseIsStored.
}

// stored is what the load tool's own check counts.
func stored(t *testing.T, srv *apitest.Server) int64 {
	t.Helper()
	n, err := loadtest.Stored(context.Background(), srv.Store.Database(store.SurveyDatabase), nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRun_EveryAcknowledgedResponseIsStored(t *testing.T) {
	srv := apitest.New(t)
	for _, service := range []string{"counselling", "peer-support"} {
		before := stored(t, srv)
		rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: srv.URL, Service: service, Concurrency: 4, Duration: 700 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Completed < 10 || len(rep.Errors) > 0 {
			t.Fatalf("%s: %d completed, errors %v", service, rep.Completed, rep.Errors)
		}
		if grew := stored(t, srv) - before; grew != int64(rep.Completed) {
			t.Fatalf("%s: store grew by %d, %d acknowledged", service, grew, rep.Completed)
		}
		var out bytes.Buffer
		rep.Format(&out)
		if !strings.Contains(out.String(), "p95") || rep.Percentile(99) < rep.Percentile(50) {
			t.Fatalf("report: %s", out.String())
		}
	}
}

func TestRun_CountsRefusalsByKind(t *testing.T) {
	srv := apitest.New(t, apitest.WithRateLimit(6))
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: srv.URL, Service: "counselling", Concurrency: 2, Duration: 300 * time.Millisecond})
	if err == nil && rep.Errors["GET 429"]+rep.Errors["POST 429"] == 0 {
		t.Fatalf("rate-limited run reported no 429s: %+v", rep.Errors)
	}
}

func TestHello_MeasuresABareHandler(t *testing.T) {
	rep, err := loadtest.Hello(context.Background(), 2, 200*time.Millisecond)
	if err != nil || rep.Requests < 10 {
		t.Fatalf("%v %+v", err, rep)
	}
}
