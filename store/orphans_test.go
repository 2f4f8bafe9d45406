package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

// A process killed while the embedded store created a collection leaves its
// table without its entry in the store's list; the next start after that
// crash drops the empty leftover, and the collection can be created again.
func TestOpen_AfterACrashAHalfCreatedCollectionCanBeCreatedAgain(t *testing.T) {
	storetest.RequireEmbedded(t) // reads the embedded store's files
	ctx := context.Background()
	// The table name the store gives the collection "probe".
	scratch := t.TempDir()
	s := storetest.Open(t, scratch)
	if _, err := s.Database(store.SurveyDatabase).Collection("probe").InsertOne(ctx, bson.D{{Key: "x", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	table := tableOf(t, filepath.Join(scratch, store.SurveyDatabase+".sqlite"), "probe")
	_ = s.Close(ctx)

	// A store whose creation of "probe" was cut off after its table was made.
	dir := t.TempDir()
	s = storetest.Open(t, dir)
	if _, err := s.Database(store.SurveyDatabase).Collection("other").InsertOne(ctx, bson.D{{Key: "x", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close(ctx)
	file := filepath.Join(dir, store.SurveyDatabase+".sqlite")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("CREATE TABLE %q (_ferretdb_sjson TEXT NOT NULL CHECK(_ferretdb_sjson != '')) STRICT", table)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.WriteFile(filepath.Join(dir, "feedback.running"), nil, 0o600); err != nil { // the crash
		t.Fatal(err)
	}

	s = storetest.Open(t, dir)
	if !s.Unclean {
		t.Fatal("the crash was not noticed")
	}
	if _, err := s.Database(store.SurveyDatabase).Collection("probe").InsertOne(ctx, bson.D{{Key: "x", Value: 2}}); err != nil {
		t.Fatalf("insert into the collection whose creation was cut off: %v", err)
	}
	if n, err := s.Database(store.SurveyDatabase).Collection("other").CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Fatalf("the other collection: %d %v", n, err)
	}
}

func tableOf(t *testing.T, file, collection string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var table string
	if err := db.QueryRow("SELECT table_name FROM _ferretdb_collections WHERE name = ?", collection).Scan(&table); err != nil {
		t.Fatal(err)
	}
	return table
}

// A kill after the collection was listed but before its unique _id index was
// made leaves a collection that would take duplicates; the next start after
// that crash drops it, and the collection is made whole on the next insert.
func TestOpen_AfterACrashACollectionWithoutItsUniqueIDIsMadeAgain(t *testing.T) {
	storetest.RequireEmbedded(t) // reads the embedded store's files
	ctx := context.Background()
	dir := t.TempDir()
	s := storetest.Open(t, dir)
	coll := s.Database(store.SurveyDatabase).Collection("probe")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close(ctx)
	file := filepath.Join(dir, store.SurveyDatabase+".sqlite")
	table := tableOf(t, file, "probe")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	var index string
	if err := db.QueryRow("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", table).Scan(&index); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("DROP INDEX %q", index)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.WriteFile(filepath.Join(dir, "feedback.running"), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	s = storetest.Open(t, dir)
	coll = s.Database(store.SurveyDatabase).Collection("probe")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "b"}}); !store.IsDuplicateKey(err) {
		t.Fatalf("a second document with the same _id: %v, want a duplicate key error", err)
	}
}
