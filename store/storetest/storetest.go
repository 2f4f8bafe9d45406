// Package storetest starts a real embedded store in a temporary directory for tests.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/feedback-service/feedback/store"
)

// New opens an embedded store in t.TempDir() and closes it when the test ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, t.TempDir())
}

// Open opens an embedded store on dir (so a test can reopen the same data) and
// closes it when the test ends.
func Open(t testing.TB, dir string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A short server selection: a test of an outage should not wait 10 s for it.
	s, err := store.Open(ctx, store.Config{DataDir: dir, ServerSelectionTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s
}
