package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// fillDashboards stores a year of synthetic responses, as `feedback demo`
// does, so the dashboards have every chart, comment and hidden month to show.
func fillDashboards(t *testing.T, srv *apitest.Server) {
	t.Helper()
	ctx := context.Background()
	if _, err := ballotbox.Demo(ctx, srv.Store.Database(store.SurveyDatabase), srv.Surveys, ballotbox.DemoOptions{Responses: 600, Now: time.Now(), Seed: 2, Sealer: demoSealer(t, srv.Surveys)}); err != nil {
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
	do(t, ctx, "emulate a desktop", desktop.emulate())
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
		if path == "/dashboards/counselling" {
			screenshot(t, ctx, "dashboard-counselling", desktop)
		}
		for _, p := range got.Problems {
			t.Errorf("%s: %s", path, p)
		}
	}
}

// demoSealer seals demo ballots with a fresh keyring.
func demoSealer(t *testing.T, cat *survey.Catalogue) *ballotbox.Sealer {
	t.Helper()
	s, err := ballotbox.NewSealer(ballotbox.NewKeyring(filepath.Join(t.TempDir(), "keyring")), nil, cat)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The monthly board pack: a page per service with the control charts, the
// headline figures with intervals, top themes and a comment a lead picked,
// accessible, and laid out one service to a printed page. The SPC target form
// and a comment's themes form are checked with axe too.
func TestDashboards_BoardPackPrintsAPagePerServiceAndIsAccessible(t *testing.T) {
	srv := apitest.New(t)
	fillDashboards(t, srv)
	ctx := context.Background()
	r := dashboards.LastMonths(srv.Dashboards.Now(), 1)
	page, err := srv.Dashboards.Comments(ctx, "counselling", r, "", 1)
	if err != nil || len(page.Comments) == 0 {
		t.Fatalf("no comment to pick: %v", err)
	}
	picked := page.Comments[0]
	if err := srv.Dashboards.PickComment(ctx, "counselling", picked.Month, picked.Key, true); err != nil {
		t.Fatal(err)
	}
	target := 80.0
	if err := srv.Dashboards.SaveSetting(ctx, dashboards.MeasureSetting{Service: "counselling", Measure: dashboards.MeasureFFT, Target: &target}); err != nil {
		t.Fatal(err)
	}
	tab := newTab(t)
	do(t, tab, "emulate a desktop", desktop.emulate())
	signIn(t, tab, srv, accounts.RoleQuality)
	do(t, tab, "open the board pack", chromedp.Navigate(srv.URL+"/dashboards/board-pack"))
	got := eval[struct {
		Pages, Charts, Icons int
		Picked               bool
		Intervals            int
	}](t, tab, `({
		pages: document.querySelectorAll('section.pack-page').length,
		charts: document.querySelectorAll('section.pack-page figure.chart img').length,
		icons: document.querySelectorAll('section.pack-page .spc-icon').length,
		picked: document.body.innerText.includes(`+jsString(picked.Text)+`),
		intervals: [...document.querySelectorAll('.interval')].filter(e => e.textContent.includes('95% interval')).length,
	})`)
	if got.Pages != 2 || got.Charts < 5 || got.Icons < 5 || !got.Picked || got.Intervals < 2 {
		t.Errorf("board pack: %+v", got)
	}
	screenshot(t, tab, "board-pack", desktop)
	checkAccessible(t, tab, "board pack")
	// On paper: no link, button or form, and the headlines and charts stay.
	do(t, tab, "emulate print", emulateMedia("print"))
	printed := eval[struct {
		Controls  []string
		Headlines int
		Charts    int
	}](t, tab, `({
		controls: [...document.querySelectorAll('a[href], button, input, select, textarea')]
			.filter(e => e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 80)),
		headlines: [...document.querySelectorAll('table.headlines')].filter(e => e.getClientRects().length > 0).length,
		charts: [...document.querySelectorAll('section.pack-page figure.chart img')].filter(e => e.getClientRects().length > 0).length,
	})`)
	if len(printed.Controls) > 0 || printed.Headlines != 2 || printed.Charts < 5 {
		t.Errorf("board pack in print: %+v", printed)
	}
	screenshot(t, tab, "board-pack-print", desktop)
	do(t, tab, "emulate the screen", emulateMedia(""))
	for _, path := range []string{"/dashboards/counselling/spc?measure=fft", "/dashboards/counselling/themes?comment=" + picked.Month + "~" + picked.Key} {
		do(t, tab, "open "+path, chromedp.Navigate(srv.URL+path))
		checkAccessible(t, tab, path)
	}
	screenshot(t, tab, "comment-themes", desktop)
}

// The comments workbench filtered by a rating: the count of matching
// comments, the download worded for them, "Don't know" among the ratings,
// no question beside a comment on its rating, and the comparison's months
// not shown said as they are; accessible.
func TestDashboards_WorkbenchCountsWhatMatches(t *testing.T) {
	srv := apitest.New(t)
	fillDashboards(t, srv)
	tab := newTab(t)
	do(t, tab, "emulate a desktop", desktop.emulate())
	signIn(t, tab, srv, accounts.RoleQuality)
	do(t, tab, "open a filtered workbench", chromedp.Navigate(srv.URL+"/dashboards/counselling?rating=very_good#comments"))
	got := eval[struct {
		Count, Download, Compare string
		DontKnow, Why            bool
	}](t, tab, `({
		count: document.querySelector('#comment-count').textContent,
		download: document.querySelector('#comments .downloads a[download]').textContent,
		compare: [...document.querySelectorAll('table.compare td:last-child')].map(td => td.textContent).join(' | '),
		dontKnow: [...document.querySelectorAll('#rating option')].some(o => o.value === 'dont_know' && o.textContent === "Don't know"),
		why: [...document.querySelectorAll('ul.comments .hint')].some(p => p.textContent.includes('· Why')),
	})`)
	if !strings.HasSuffix(got.Count, "match these filters.") || !strings.HasPrefix(got.Download, "Download these ") ||
		!strings.Contains(got.Compare, "survey was not running") || !got.DontKnow || got.Why {
		t.Errorf("workbench: %+v", got)
	}
	clip := eval[struct{ Top, Height float64 }](t, tab, `(() => {
		const a = document.querySelector('.comment-filter').getBoundingClientRect();
		return {top: a.top + window.scrollY - 20, height: 700};
	})()`)
	clipShot(t, tab, "workbench-filtered", desktop, clip.Top, clip.Height)
	checkAccessible(t, tab, "filtered workbench")
}

// clipShot writes height CSS pixels of the page from top as
// screenshots/<name>-<width>.png.
func clipShot(t *testing.T, ctx context.Context, name string, v viewport, top, height float64) {
	t.Helper()
	png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{X: 0, Y: top, Width: float64(v.width), Height: height, Scale: 1},
			CaptureBeyondViewport: new(true),
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	})
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), fmt.Sprintf("%s-%d.png", name, v.width)), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// emulateMedia makes the tab's CSS media "print" (or the screen again for "").
func emulateMedia(media string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	})
}
