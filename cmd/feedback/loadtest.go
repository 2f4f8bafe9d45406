package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/loadtest"
	"github.com/feedback-service/feedback/store"
)

// runLoadtest is `feedback loadtest`: drive a running server like phones do,
// report rate, latency and errors, and check that the stored responses grew by
// exactly the number acknowledged.
func runLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := loadtest.Config{}
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "base URL of the server to drive")
	fs.StringVar(&cfg.Service, "service", "counselling", "survey to answer")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "virtual phones at once")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "how long to drive")
	countURI := fs.String("mongodb-uri", "", "MongoDB URI of the server's store, to check the stored count directly "+
		"(for the embedded store, start serve with --store-addr 127.0.0.1:27018 and pass mongodb://127.0.0.1:27018/)")
	bare := fs.Bool("bare", false, "also measure a bare Fiber hello handler with the same load, and print the ratio")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var st *store.Store
	var before int64
	if *countURI != "" {
		var err error
		if st, err = store.Open(ctx, store.Config{URI: *countURI}); err != nil {
			return err
		}
		defer st.Close(context.Background())
		if before, err = countResponses(ctx, st); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "driving %s/s/%s with %d phones for %s…\n", cfg.URL, cfg.Service, cfg.Concurrency, cfg.Duration)
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Format(stdout)
	if *bare {
		hello, err := loadtest.Hello(ctx, cfg.Concurrency, cfg.Duration)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "bare Fiber hello, same load: %.0f req/s; full responses are %.1f%% of it (requests %.1f%%)\n",
			hello.RequestsPerSecond(), 100*rep.PerSecond()/hello.RequestsPerSecond(), 100*rep.RequestsPerSecond()/hello.RequestsPerSecond())
	}
	if st == nil {
		fmt.Fprintln(stdout, "stored count not checked (pass --mongodb-uri to check it)")
		return nil
	}
	after, err := countResponses(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "stored responses: %d before, %d after: grew by %d; acknowledged %d\n", before, after, after-before, rep.Completed)
	if after-before != int64(rep.Completed) {
		return fmt.Errorf("loadtest: the store grew by %d but %d responses were acknowledged", after-before, rep.Completed)
	}
	return nil
}

func countResponses(ctx context.Context, st *store.Store) (int64, error) {
	n, err := st.Database(store.SurveyDatabase).Collection("responses").CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("count responses: %w", err)
	}
	return n, nil
}
