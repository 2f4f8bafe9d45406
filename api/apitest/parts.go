package apitest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// surveySide is the survey side of a test server: the library and its
// catalogue, the sealer, the invitation codes, the committer and the releaser.
type surveySide struct {
	library   *survey.Library
	catalogue *survey.Catalogue
	sealer    *ballotbox.Sealer
	codes     *invitation.Codes
	tokens    *invitation.Tokens
	responses *ballotbox.Responses
	releaser  *ballotbox.Releaser
	now       func() time.Time
	// namesSaved is what an admin's save of the practitioners' names runs.
	namesSaved func(context.Context) error
}

func openSurveySide(t testing.TB, st *store.Store, sopts ballotbox.Options, logger *slog.Logger) surveySide {
	t.Helper()
	sopts.Logger = logger
	sv := surveySide{now: sopts.Now}
	sv.library, sv.catalogue = openLibrary(t, st)
	var err error
	if sv.sealer, err = ballotbox.NewSealer(ballotbox.NewKeyring(t.TempDir()), nil, sv.catalogue); err != nil {
		t.Fatal(err)
	}
	sopts.Sealer = sv.sealer
	if sv.codes, err = invitation.New(ballotbox.NewSecret(), invitation.Config{BaseURL: "http://feedback.test", Now: sopts.Now}); err != nil {
		t.Fatal(err)
	}
	spent := invitation.NewStore(st.Database(invitation.Database), sv.codes)
	sopts.Invitations, sv.tokens = spent, invitation.NewTokens(spent)
	sopts.Tokens = sv.tokens
	// As serve: comments are checked for the names admins list, unless the
	// test brings its own check.
	sv.namesSaved = func(context.Context) error { return nil }
	if sopts.Comments == nil {
		check, err := ballotbox.NewPractitionerCheck(context.Background(), sv.library.PractitionerNames)
		if err != nil {
			t.Fatal(err)
		}
		sopts.Comments, sv.namesSaved = check, check.Refresh
	}
	sv.responses = ballotbox.NewResponses(st.Database(store.SurveyDatabase), sopts)
	// The release's K is 1 in these tests, so that months below the dashboards'
	// K exist and the dashboards' own rule is what is tested.
	sv.releaser, err = ballotbox.NewReleaser(st.Database(store.SurveyDatabase), sv.catalogue, ballotbox.ReleaseOptions{
		Sealer: sv.sealer, K: 1, OpenK: 1, OpenByMonth: true, Now: sopts.Now, Logger: logger, AfterRelease: st.Compact, Responses: sv.responses,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := sv.responses.Keys().Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	return sv
}

// openRecords opens the records side: staff accounts and intake.
func openRecords(t testing.TB, st *store.Store, o Options) (*accounts.Store, *intake.Store) {
	t.Helper()
	ctx := context.Background()
	acc, err := accounts.New(st, o.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	if err := acc.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	in := intake.New(st.Database(intake.Database), o.IntakeNow)
	if err := in.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return acc, in
}

// openDashboards reads counters afresh on every request unless told
// otherwise, on the survey side's clock unless given one of their own.
func openDashboards(t testing.TB, st *store.Store, catalogue *survey.Catalogue, o Options, now func() time.Time, logger *slog.Logger) *dashboards.Dashboards {
	t.Helper()
	dopts := o.Dashboards
	dopts.Logger = logger
	if dopts.Now == nil {
		dopts.Now = now
	}
	if dopts.MaxAge == 0 {
		dopts.MaxAge = time.Nanosecond
	}
	dash, err := dashboards.New(st.Database(store.SurveyDatabase), catalogue, dopts)
	if err != nil {
		t.Fatal(err)
	}
	return dash
}
