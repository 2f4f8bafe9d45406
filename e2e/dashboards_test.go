package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// fillDashboards stores a year of synthetic responses, as `feedback demo`
// does, so the dashboards have every chart, comment and hidden month to show.
func fillDashboards(t *testing.T, srv *apitest.Server) {
	t.Helper()
	ctx := context.Background()
	if _, err := dashboards.Demo(ctx, srv.Store.Database(store.SurveyDatabase), srv.Surveys, dashboards.DemoOptions{Responses: 600, Seed: 2, Sealer: demoSealer(t, srv.Surveys)}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Dashboards.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}

var staffSeq atomic.Int64

// signIn adds a staff member with role and signs them in through the form.
func signIn(t *testing.T, ctx context.Context, srv *apitest.Server, role accounts.Role) {
	t.Helper()
	email := fmt.Sprintf("e2e%d@example.nhs.uk", staffSeq.Add(1))
	srv.AddStaff(t, email, role)
	do(t, ctx, "open the sign-in form", chromedp.Navigate(srv.URL+"/login"))
	resp, err := chromedp.RunResponse(ctx,
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), apitest.StaffPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	if err != nil || resp.Status != http.StatusOK || strings.Contains(resp.URL, "/login") {
		t.Fatalf("sign in as %s: %v %+v", role, err, resp)
	}
}

type chartCheck struct {
	Charts   int      `json:"charts"`
	Problems []string `json:"problems"`
}

// Every chart on a dashboard is an image that loaded (an SVG, under the
// page's Content-Security-Policy), with a text alternative and a data table
// beside it.
func TestDashboards_ChartsHaveTextAlternativesAndDataTables(t *testing.T) {
	srv := apitest.New(t)
	fillDashboards(t, srv)
	ctx := newTab(t)
	signIn(t, ctx, srv, accounts.RoleQuality)
	for _, path := range []string{"/dashboards", "/dashboards/counselling", "/dashboards/peer-support"} {
		do(t, ctx, "open "+path, chromedp.Navigate(srv.URL+path))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[chartCheck](`(async () => {
			const figs = [...document.querySelectorAll('figure.chart')];
			const problems = [];
			for (const img of document.images) {
				if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
				if (!img.naturalWidth) problems.push('image did not load: ' + img.src);
				if (!img.closest('figure.chart')) problems.push('image outside a chart figure: ' + img.src);
			}
			for (const f of figs) {
				const img = f.querySelector('img'), table = f.querySelector('table');
				if (!img || img.alt.length < 40) problems.push(f.id + ': no text alternative');
				if (!table || table.tBodies[0].rows.length === 0) problems.push(f.id + ': no data table');
				if (!f.querySelector('figcaption')) problems.push(f.id + ': no caption');
			}
			return {charts: figs.length, problems};
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: check charts: %v", path, err)
		}
		if got.Charts < 2 {
			t.Errorf("%s: %d charts", path, got.Charts)
		}
		for _, p := range got.Problems {
			t.Errorf("%s: %s", path, p)
		}
	}
}

// demoSealer seals demo ballots with a fresh secret.
func demoSealer(t *testing.T, cat *survey.Catalogue) *survey.Sealer {
	t.Helper()
	s, err := survey.NewSealer(survey.NewSecret(), cat)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
