package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
)

// feedback store shares the embedded store over mutual TLS and prints the URI
// another process connects with; without its client certificate nothing does.
func TestStore_ServesTheEmbeddedStoreOverMutualTLSAtTheURIItPrints(t *testing.T) {
	addr, dir := freeAddr(t), t.TempDir()
	r := start(t, "store", "--addr", addr, "--data-dir", dir)
	m := regexp.MustCompile(`(?m)^MONGODB_URI=(\S+)$`).FindStringSubmatch(r.out.String())
	if m == nil {
		t.Fatalf("no MONGODB_URI line in:\n%s", r.out.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Config{URI: m[1], ServerSelectionTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	if _, err := st.Database("feedback").Collection("probe").InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatalf("write through the shared store: %v", err)
	}
	bare, err := store.Open(ctx, store.Config{URI: "mongodb://" + addr + "/", ServerSelectionTimeout: time.Second})
	if err == nil {
		_ = bare.Close(ctx)
		t.Fatal("a client without the certificate reached the store")
	}
}

func TestStore_RefusesAnAddressOffLoopback(t *testing.T) {
	err := run(context.Background(), []string{"store", "--addr", "0.0.0.0:27018", "--data-dir", t.TempDir()}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err %v, want a refusal naming loopback", err)
	}
}
