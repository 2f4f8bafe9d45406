package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/feedback-service/feedback/backup"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

const countersUsage = `usage:
  feedback counters rebuild [--check] [--comments]

rebuild recomputes every counter from the stored responses. With --check it
only reports differences (and exits non-zero if there are any); without, it
rewrites the counters to match. --comments checks or repairs comments too.
Run it with the service stopped: responses arriving meanwhile show as differences.
`

// runCounters is the "feedback counters" command.
func runCounters(ctx context.Context, st *store.Store, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		fmt.Fprint(stderr, countersUsage)
		return errors.New("counters: the only command is rebuild")
	}
	fs := flag.NewFlagSet("feedback counters rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "report differences only; exit non-zero if any")
	comments := fs.Bool("comments", false, "check or repair comments as well")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	_, cat, err := loadSurveys(ctx, st)
	if err != nil {
		return err
	}
	db := st.Database(store.SurveyDatabase)
	start, total := time.Now(), backup.Estimate(ctx, db.Collection(survey.ResponsesCollection))
	report, err := survey.RebuildCounters(ctx, db, cat, survey.RebuildOptions{
		Write: !*check, Comments: *comments, Archive: cat.Archive(),
		Progress: func(n int) {
			fmt.Fprintln(stderr, backup.Progress{Stage: "read", Database: db.Name(), Collection: survey.ResponsesCollection,
				Documents: int64(n), Total: total, Elapsed: time.Since(start)})
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d responses, %d counter documents.\n", report.Responses, report.Buckets)
	for _, v := range report.UnknownVersions {
		fmt.Fprintf(stdout, "unknown survey version %s: read with the current survey's questions\n", v)
	}
	for _, d := range report.Differences {
		fmt.Fprintln(stdout, d)
	}
	if *comments {
		fmt.Fprintf(stdout, "comments: %d missing, %d with no response\n", report.CommentsMissing, report.CommentsExtra)
	}
	switch {
	case report.Clean():
		fmt.Fprintln(stdout, "Counters match the responses.")
	case report.Rewritten:
		fmt.Fprintln(stdout, "Rewritten to match the responses.")
	default:
		return fmt.Errorf("counters rebuild --check: %d differences", len(report.Differences)+report.CommentsMissing+report.CommentsExtra)
	}
	return nil
}
