// Package storetest opens a real store for tests: by default an embedded store
// in a temporary directory; with FEEDBACK_TEST_MONGODB_URI set, that MongoDB
// (see mongo.go), so the whole suite can be run against a replica set before
// go-live.
package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/feedback-service/feedback/store"
)

// MongoURIVariable names the environment variable that points the tests at a
// MongoDB deployment instead of the embedded store.
const MongoURIVariable = "FEEDBACK_TEST_MONGODB_URI"

// New opens a store with no data and closes it when the test ends: an
// embedded store in t.TempDir(), or the MongoDB of FEEDBACK_TEST_MONGODB_URI.
func New(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, t.TempDir())
}

// Open opens a store on dir (so a test can reopen the same data) and closes it
// when the test ends. On MongoDB, dir is only a name: every store a test opens
// sees the same databases, emptied when its first store opens.
func Open(t testing.TB, dir string) *store.Store {
	t.Helper()
	if uri := os.Getenv(MongoURIVariable); uri != "" {
		return openMongo(t, uri)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A short server selection: a test of an outage should not wait 10 s for it.
	s, err := store.Open(ctx, store.Config{DataDir: dir, ServerSelectionTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	closeAtEnd(t, s)
	return s
}

func closeAtEnd(t testing.TB, s *store.Store) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
}

// RequireApart skips a test that needs two stores apart (a backup restored
// into an empty store) when the suite runs against MongoDB, where every store
// a test opens is the one deployment.
func RequireApart(t testing.TB) {
	t.Helper()
	if os.Getenv(MongoURIVariable) != "" {
		t.Skip("needs two stores apart; " + MongoURIVariable + " gives one")
	}
}

// RequireEmbedded skips a test that needs the embedded store's files (a
// backup of its directory, a crash of its process) when the suite runs
// against MongoDB.
func RequireEmbedded(t testing.TB) {
	t.Helper()
	if os.Getenv(MongoURIVariable) != "" {
		t.Skip("needs the embedded store; " + MongoURIVariable + " is set")
	}
}
