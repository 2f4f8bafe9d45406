package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
)

// runRelease is the "feedback release" command: it releases every closed
// month's sealed ballots that are due now, as serve does every ten minutes.
// Run again after an interruption, it finishes what was cut short.
func runRelease(ctx context.Context, st *store.Store, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	k := fs.Int("disclosure-k", dashboards.DefaultK, "the fewest responses a group is released with, as serve's FEEDBACK_DISCLOSURE_K")
	openK := fs.Int("open-k", 0, "the fewest open responses a quarter's group is released with, as serve's FEEDBACK_OPEN_K (0: 5 × --disclosure-k)")
	takeLease := fs.Bool("take-lease", false, "release even if another process holds the release lease (only when you know it has stopped, e.g. after a crash)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *k < dashboards.MinK {
		return fmt.Errorf("release: --disclosure-k may not be below %d", dashboards.MinK)
	}
	_, cat, err := loadSurveys(ctx, st)
	if err != nil {
		return err
	}
	sealer, err := loadSealer(st, cat, envOrEmpty)
	if err != nil {
		return err
	}
	rel, err := ballotbox.NewReleaser(st.Database(store.SurveyDatabase), cat, ballotbox.ReleaseOptions{
		Sealer: sealer, K: *k, OpenK: *openK, Archive: cat.Archive(), Logger: slog.New(slog.NewTextHandler(stderr, nil)), TakeLease: *takeLease,
		AfterRelease: st.Compact,
		Progress:     func(box, step string, n int) { fmt.Fprintf(stderr, "%s %s %d\n", box, step, n) },
	})
	if err != nil {
		return err
	}
	resealed, err := rel.Reseal(ctx)
	for _, box := range resealed {
		fmt.Fprintf(stdout, "%s: resealed under the keyring; the sealing secret no longer opens it.\n", box)
	}
	var reports []ballotbox.ReleaseReport
	if err == nil {
		reports, err = rel.ReleaseDue(ctx)
	}
	if errors.Is(err, ballotbox.ErrLeaseHeld) {
		return fmt.Errorf("release: %w; if it has stopped (a crash), run again with --take-lease", err)
	}
	for _, r := range reports {
		fmt.Fprintf(stdout, "%s: %d ballots opened, %d released as responses, %d carried into the current month.\n",
			r.Box, r.Ballots, r.Responses, r.Carried)
	}
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		fmt.Fprintln(stdout, "Nothing is due for release.")
	}
	return nil
}
