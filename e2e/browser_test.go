package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// browser is the one Chromium every test of this binary shares; each test
// gets a fresh tab of it. Starting a browser costs about a second, a tab a
// few milliseconds.
var browser struct {
	ctx     context.Context // nil when there is no browser
	missing string          // why there is none
}

// onCI is true in CI, where a missing browser or axe-core is a failure, not a skip.
var onCI = os.Getenv("CI") == "true"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	path := chromePath()
	if path == "" {
		browser.missing = "no browser: install Debian's chromium (apt-get install chromium) or set CHROME_PATH"
		if onCI {
			fmt.Fprintln(os.Stderr, "e2e:", browser.missing, "(CI=true, so this is a failure)")
			return 1
		}
		return m.Run()
	}
	profile, err := os.MkdirTemp("", "e2e-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(profile)

	// The flags this machine needs: no sandbox (CI runs as root), and nothing
	// that phones home, which the closed network would refuse.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: start %s: %v\n", path, err)
		return 1
	}
	browser.ctx = ctx
	return m.Run()
}

// chromePath finds the browser: $CHROME_PATH, else chromium on PATH.
func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newTab opens a fresh tab for the test, in a browser context of its own (no
// cookies, cache or open connections shared with other tests), and closes it
// when the test ends. Every action in it must finish within a minute.
func newTab(t *testing.T) context.Context {
	t.Helper()
	if browser.ctx == nil {
		t.Skip(browser.missing)
	}
	tab, closeTab := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil {
		closeTab()
		t.Fatalf("open tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	t.Cleanup(func() {
		cancel()
		closeTab()
	})
	return ctx
}

// do runs browser actions and fails the test on the first error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %.60q: %v", expr, err)
	}
	return v
}

// viewport is a screen the pages are seen on.
type viewport struct {
	name          string
	width, height int64
	phone         bool
}

var (
	// phone is a small Android phone: 360 CSS pixels wide, two device pixels
	// each, a touch screen.
	phone   = viewport{"phone", 360, 740, true}
	desktop = viewport{"desktop", 1280, 900, false}
)

// emulate makes the tab this screen.
func (v viewport) emulate() chromedp.Action[chromedp.Void] {
	if v.phone {
		return chromedp.EmulateViewport(v.width, v.height,
			chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(v.width, v.height)
}

// screenshotDir is screenshots/ at the root of the repository (gitignored).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "screenshots"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot writes the whole page, not only what fits on the screen, as
// screenshots/<name>-<width>.png.
func screenshot(t *testing.T, ctx context.Context, name string, v viewport) {
	t.Helper()
	png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, tg, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		size := m.CSSContentSize
		r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: float64(v.width), Height: size.Height, Scale: 1},
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
	file := filepath.Join(screenshotDir(t), fmt.Sprintf("%s-%d.png", name, v.width))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
