package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/feedback-service/feedback/invitation"
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
	invited := fs.Bool("invited", false, "each phone opens a fresh single-use invitation (/i/…) first, as a texted person does; "+
		"the invitations are signed with the server's secret, found as `feedback invitations` finds it (--data-dir)")
	dataDir := fs.String("data-dir", firstNonEmpty(envOrEmpty("FEEDBACK_DATA_DIR"), "./data"), "with --invited: the server's data directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *invited {
		secret, err := commandInvitationSecret(*dataDir, envOrEmpty)
		if err != nil {
			return fmt.Errorf("loadtest --invited: %w", err)
		}
		codes, err := invitation.New(secret, invitation.Config{BaseURL: cfg.URL, Now: time.Now})
		if err != nil {
			return fmt.Errorf("loadtest --invited: %w", err)
		}
		cfg.Invitation = func() (string, error) { return codes.Mint(cfg.Service) }
	}
	var st *store.Store
	var before int64
	if *countURI != "" {
		var err error
		if st, err = store.Open(ctx, store.Config{URI: *countURI}); err != nil {
			return err
		}
		defer st.Close(context.Background())
		if before, err = countStored(ctx, st, stderr); err != nil {
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
	return checkStored(ctx, st, before, int64(rep.Completed), stdout, stderr)
}

// checkStored compares what the store gained with what was acknowledged. A
// count is not atomic across collections: a ballot released into responses
// while it runs may be counted twice, so a mismatch is counted again once
// before it is reported.
func checkStored(ctx context.Context, st *store.Store, before, acknowledged int64, stdout, stderr io.Writer) error {
	var after int64
	for attempt := range 2 {
		if attempt > 0 {
			fmt.Fprintln(stderr, "the count differs from the acknowledgements: counting again in case responses were moving between collections")
			time.Sleep(2 * time.Second)
		}
		var err error
		if after, err = countStored(ctx, st, stderr); err != nil {
			return err
		}
		if after-before == acknowledged {
			break
		}
	}
	fmt.Fprintf(stdout, "stored responses (%s): %d before, %d after: grew by %d; acknowledged %d\n",
		loadtest.Acknowledged, before, after, after-before, acknowledged)
	if after-before != acknowledged {
		return fmt.Errorf("loadtest: the store grew by %d but %d responses were acknowledged", after-before, acknowledged)
	}
	return nil
}

// countStored counts stored responses in batches, with progress on stderr
// every 100,000 (a million takes tens of seconds on the embedded store).
func countStored(ctx context.Context, st *store.Store, stderr io.Writer) (int64, error) {
	start := time.Now()
	var shown int64
	n, err := loadtest.Stored(ctx, st.Database(store.SurveyDatabase), func(coll string, n int64) {
		if n-shown >= 100_000 {
			shown = n
			fmt.Fprintf(stderr, "counting stored responses: %d so far (%s), %.0f/s\n", n, coll, float64(n)/time.Since(start).Seconds())
		}
	})
	if err != nil {
		return 0, fmt.Errorf("loadtest: %w; is the store still reachable at --mongodb-uri? The load itself is reported above", err)
	}
	return n, nil
}
