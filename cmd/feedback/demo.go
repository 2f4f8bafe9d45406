package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/feedback-service/feedback/backup"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/store"
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
	people := fs.Int("people", 0, "also record this many synthetic people and their contacts in the embedded store's intake database (for measuring at scale), and an active demo counsellor and peer-support doctor when there are no practitioners")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 0 || *n > 2_000_000 || *people < 0 || *people > 1_000_000 {
		return fmt.Errorf("demo: --responses must be from 0 to 2000000, --people from 0 to 1000000")
	}
	if *people > 0 {
		if err := demoIntake(ctx, st, *people, *seed, stdout); err != nil {
			return err
		}
	}
	if *n == 0 {
		return nil
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
	report, err := ballotbox.Demo(ctx, st.Database(store.SurveyDatabase), cat, ballotbox.DemoOptions{
		Responses: *n, Seed: *seed, Sealer: sealer, K: *k, Now: time.Now(),
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
	// Count each released month's comments now, as serve would at start-up.
	counting := time.Now()
	dash, err := dashboards.New(st.Database(store.SurveyDatabase), cat, dashboards.Options{K: *k, Now: time.Now})
	if err != nil {
		return err
	}
	if err := dash.SummariseComments(ctx); err != nil {
		return fmt.Errorf("demo: count comments: %w", err)
	}
	fmt.Fprintf(stdout, "Counted the comments of each released month in %s.\n", time.Since(counting).Round(time.Second))
	return nil
}

// demoIntake records n synthetic people with their contacts and sent survey
// texts in the intake database, refusing one that already holds people.
func demoIntake(ctx context.Context, st *store.Store, n int, seed uint64, stdout io.Writer) error {
	db := st.Database(intake.Database)
	people := intake.New(db, time.Now)
	if held, err := people.HoldsPeople(ctx); err != nil {
		return fmt.Errorf("demo: %w", err)
	} else if held {
		return errors.New("demo: --people needs an empty intake database; this one holds people")
	}
	start := time.Now()
	rep, err := people.Demo(ctx, intake.DemoOptions{People: n, Seed: seed, Progress: func(done int) {
		if done%10_000 == 0 || done == n {
			p := backup.Progress{Stage: "stored", Documents: int64(done), Total: int64(n), Elapsed: time.Since(start)}
			fmt.Fprintf(stdout, "intake people: %s\n", p)
		}
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Recorded %d people, %d contacts and %d sent survey texts in %s.\n", rep.People, rep.Contacts, rep.Texts,
		time.Since(start).Round(time.Second))
	if rep.Practitioners > 0 {
		fmt.Fprintf(stdout, "Added %d active demo practitioners (a counsellor and a peer-support doctor), so new callers can be routed.\n", rep.Practitioners)
	}
	return nil
}
