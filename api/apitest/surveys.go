package apitest

import (
	"context"
	"testing"
	"time"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// openLibrary seeds the store's survey library from the embedded definitions,
// as serve does on a new install, and loads every version it holds.
func openLibrary(t testing.TB, st *store.Store) (*survey.Library, *survey.Catalogue) {
	t.Helper()
	embedded, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	lib := survey.NewLibrary(st.Database(store.SurveyDatabase), nil)
	ctx := context.Background()
	if _, err := lib.Seed(ctx, embedded); err != nil {
		t.Fatal(err)
	}
	cat, err := lib.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return lib, cat
}

// followLibrary is what serve's "follow published surveys" job runs: the
// catalogue, the sealer's ballot size and the dashboards follow the library.
func followLibrary(lib *survey.Library, cat *survey.Catalogue, sealer *ballotbox.Sealer, dash *dashboards.Dashboards) func(context.Context) error {
	return func(ctx context.Context) error {
		changed, err := lib.Refresh(ctx, cat)
		if err != nil || !changed {
			return err
		}
		for _, d := range append(cat.All(), cat.Archive()...) {
			sealer.Fit(d)
		}
		dash.UseCatalogue(cat)
		return nil
	}
}

// RefreshSurveys makes the app follow the library now, as another instance
// does within seconds of a publish.
func (s *Server) RefreshSurveys(t testing.TB) {
	t.Helper()
	if err := followLibrary(s.Library, s.Surveys, s.Sealer, s.Dashboards)(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// ProductionReleaser releases with the disclosure K of 10 and the test
// server's sealing secret.
func ProductionReleaser(t testing.TB, srv *Server, cat *survey.Catalogue, now func() time.Time) *ballotbox.Releaser {
	t.Helper()
	rel, err := ballotbox.NewReleaser(srv.Store.Database(store.SurveyDatabase), cat, ballotbox.ReleaseOptions{
		Sealer: srv.Sealer, K: 10, OpenK: 10, OpenByMonth: true, Now: now, Responses: srv.Responses,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
