package store_test

import (
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

// The embedded store's files, socket and directory belong to this user alone.
func TestOpen_TheStoresFilesAndSocketArePrivate(t *testing.T) {
	storetest.RequireEmbedded(t) // reads the embedded store's files
	dir := t.TempDir()
	s := storetest.Open(t, dir)
	ctx := context.Background()
	// A database made after the store started, as SQLite makes one on its first write.
	if _, err := s.Database("feedback_later").Collection("probe").InsertOne(ctx, bson.D{{Key: "x", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	seen := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %o: others may use it", path, perm)
		}
		seen++
		return nil
	})
	if err != nil || seen < 3 {
		t.Fatalf("walked %d entries: %v", seen, err)
	}
}

// Nothing listens on TCP unless sharing is asked for; then only a client with
// the store's client certificate gets in.
func TestOpen_NoUnauthenticatedConnectionOverTCP(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{DataDir: dir, EmbeddedAddr: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if !strings.Contains(s.SharedURI, "tlsCertificateKeyFile=") {
		t.Fatalf("shared URI %q names no client certificate", s.SharedURI)
	}
	try := func(uri string) error {
		c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(1500 * time.Millisecond))
		if err != nil {
			return err
		}
		defer c.Disconnect(context.Background())
		_, err = c.Database(store.SurveyDatabase).ListCollectionNames(ctx, bson.D{})
		return err
	}
	if err := try("mongodb://" + addr + "/"); err == nil {
		t.Fatal("a plain connection without credentials was answered")
	}
	noCert := strings.Split(s.SharedURI, "&tlsCertificateKeyFile=")[0]
	if err := try(noCert); err == nil {
		t.Fatal("a TLS connection without the client certificate was answered")
	}
	if err := try(s.SharedURI); err != nil {
		t.Fatalf("with the client certificate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "store-tls", "client.pem")); err != nil {
		t.Fatal(err)
	}
}
