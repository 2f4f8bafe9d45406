package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
)

// Against MongoDB, each test gets the service's databases (every name
// starting "feedback") fresh: dropped before its first store opens and after
// it ends. The service names its databases itself (store.SurveyDatabase,
// intake.Database, accounts.Database), so tests sharing one deployment take
// turns: one test at a time in this process, and `go test -p 1` across
// packages (see docs/development.md).
var (
	turn    sync.Mutex
	holders sync.Map // testing.TB -> struct{}: the test whose turn it is
)

const databasePrefix = "feedback"

func openMongo(t testing.TB, uri string) *store.Store {
	t.Helper()
	first := takeTurn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Config{URI: uri, ServerSelectionTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open %s: %v", MongoURIVariable, err)
	}
	closeAtEnd(t, s)
	if first {
		if err := dropDatabases(ctx, s); err != nil {
			t.Fatalf("empty the test databases: %v", err)
		}
		// Cleanups run last registered first: this one runs after the test's
		// later stores have closed. It has its own client, as the test may
		// have closed this one.
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			d, err := store.Open(ctx, store.Config{URI: uri})
			if err == nil {
				err = dropDatabases(ctx, d)
				_ = d.Close(ctx)
			}
			if err != nil {
				t.Errorf("drop the test databases: %v", err)
			}
		})
	}
	return s
}

// takeTurn waits for this test's turn at the deployment, and reports whether
// this is its first store (later ones share the turn and the data).
func takeTurn(t testing.TB) bool {
	if _, held := holders.Load(t); held || subtestOfHolder(t) {
		return false
	}
	turn.Lock()
	holders.Store(t, struct{}{})
	// Runs last of the test's cleanups, after the databases are dropped.
	t.Cleanup(func() {
		holders.Delete(t)
		turn.Unlock()
	})
	return true
}

// subtestOfHolder reports whether t runs inside the test whose turn it is: it
// shares the turn (and the data), where waiting for it would never end.
func subtestOfHolder(t testing.TB) bool {
	inside := false
	holders.Range(func(h, _ any) bool {
		inside = strings.HasPrefix(t.Name(), h.(testing.TB).Name()+"/")
		return !inside
	})
	return inside
}

func dropDatabases(ctx context.Context, s *store.Store) error {
	names, err := s.Client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		return err
	}
	for _, name := range names {
		if strings.HasPrefix(name, databasePrefix) {
			if err := s.Client.Database(name).Drop(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}
