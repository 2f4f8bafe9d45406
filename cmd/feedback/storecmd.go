package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/feedback-service/feedback/store"
)

// runStore is `feedback store`: the embedded store alone, shared on a loopback
// address over mutual TLS exactly as serve's --store-addr shares it, until
// interrupted. Whatever connects takes the MONGODB_URI path of a MongoDB
// deployment, across a process boundary: instances that share one store, and
// the tests' FEEDBACK_TEST_MONGODB_URI mode in CI. It prints the URI to give
// them on a line of its own, "MONGODB_URI=…".
func runStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOrEmpty("FEEDBACK_STORE_ADDR"), "loopback address to serve the store on, e.g. 127.0.0.1:27018 (FEEDBACK_STORE_ADDR)")
	dataDir := fs.String("data-dir", firstNonEmpty(envOrEmpty("FEEDBACK_DATA_DIR"), "./data"), "directory of the embedded store (FEEDBACK_DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *addr == "" {
		return errors.New("store: usage: feedback store --addr 127.0.0.1:PORT [--data-dir DIR]")
	}
	if err := checkStoreAddr(*addr); err != nil {
		return fmt.Errorf("store: --addr: %w", err)
	}
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(openCtx, store.Config{DataDir: *dataDir, EmbeddedAddr: *addr})
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = st.Close(closeCtx)
	}()
	// The URI names the port bound, so --addr 127.0.0.1:0 takes any free one.
	fmt.Fprintf(stdout, "The embedded store in %s is shared over mutual TLS; connect with\nMONGODB_URI=%s\nPress Ctrl+C to stop.\n",
		st.DataDir, st.SharedURI)
	<-ctx.Done()
	return nil
}
