package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/feedback-service/feedback/backup"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// runDemo is the "feedback demo" command: it fills the store with synthetic
// responses for every service over the last 12 months, so dashboards have
// something to show on a first run.
func runDemo(ctx context.Context, st *store.Store, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("responses", 2000, "how many responses to store, across every service")
	seed := fs.Uint64("seed", 1, "seed of the synthetic answers")
	k := fs.Int("disclosure-k", dashboards.DefaultK, "the K each month is released with, as serve's FEEDBACK_DISCLOSURE_K")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *n > 2_000_000 {
		return fmt.Errorf("demo: --responses must be from 1 to 2000000")
	}
	_, cat, err := loadSurveys(ctx, st)
	if err != nil {
		return err
	}
	sealer, err := loadSealer(st, cat, envOrEmpty)
	if err != nil {
		return err
	}
	start, done := time.Now(), 0
	report, err := survey.Demo(ctx, st.Database(store.SurveyDatabase), cat, survey.DemoOptions{
		Responses: *n, Seed: *seed, Sealer: sealer, K: *k,
		Progress: func(service, month string, stored int) {
			done += stored
			p := backup.Progress{Stage: "stored", Documents: int64(done), Total: int64(*n), Elapsed: time.Since(start)}
			fmt.Fprintf(stdout, "%s %s: %d responses; %s\n", service, month, stored, p)
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Stored %d responses (%d with comments) and %d invitation counts, %s to %s.\n",
		report.Responses, report.Comments, report.Invitations, report.From, report.To)
	return nil
}
