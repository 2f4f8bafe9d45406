package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

func TestOpen_EmbeddedStoreAnswersAndKeepsDataAcrossRestart(t *testing.T) {
	storetest.RequireEmbedded(t) // reads or stops the embedded store itself
	dir := t.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Embedded || !strings.HasPrefix(s.URI, "mongodb://%2F") || !strings.HasSuffix(s.URI, ".sock/") {
		t.Fatalf("embedded=%v uri=%q, want an embedded store on a Unix socket", s.Embedded, s.URI)
	}
	coll := s.Database(store.SurveyDatabase).Collection("probe")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "kept"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}

	s2 := storetest.Open(t, dir)
	n, err := s2.Database(store.SurveyDatabase).Collection("probe").CountDocuments(ctx, bson.D{})
	if err != nil || n != 1 {
		t.Fatalf("after reopening: %d documents, err %v; want 1", n, err)
	}
}

func TestOpen_SecondProcessOnSameDataDirIsRefused(t *testing.T) {
	storetest.RequireEmbedded(t) // reads or stops the embedded store itself
	dir := t.TempDir()
	storetest.Open(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Config{DataDir: dir})
	if err == nil {
		_ = s.Close(ctx)
		t.Fatal("a second store on the same data directory opened; want a refusal")
	}
	if !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("error %q does not say the directory is in use", err)
	}
}

func TestIsDuplicateKey_DetectsUniqueInsertReplay(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	coll := s.Database(store.SurveyDatabase).Collection("probe")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}})
	if !store.IsDuplicateKey(err) {
		t.Fatalf("second insert of the same _id: err %v, want a duplicate-key error", err)
	}
}

func TestUnreachableMongoDBIsAClearError(t *testing.T) {
	ctx := context.Background()
	_, err := store.Open(ctx, store.Config{URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300"})
	if err == nil || !strings.Contains(err.Error(), "MONGODB_URI") {
		t.Fatalf("err %v, want a message naming MONGODB_URI", err)
	}
}

func TestOpen_AnUncleanShutdownStaysMarkedUntilRepaired(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *store.Store {
		s, err := store.Open(ctx, store.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	if s.Unclean {
		t.Fatal("a new data directory is marked unclean")
	}
	s.StopEmbedded() // as if killed: no Close
	s.Client.Disconnect(ctx)
	store.UnlockForTest(s)

	for i := 0; i < 2; i++ { // a command that only opens and closes leaves the mark
		s = open()
		if !s.Unclean {
			t.Fatalf("open %d after a crash: not marked unclean", i+1)
		}
		s.Close(ctx)
	}
	s = open()
	s.MarkRepaired()
	s.Close(ctx)
	if s = open(); s.Unclean {
		t.Fatal("still unclean after a repair and a clean close")
	}
	s.Close(ctx)
}
