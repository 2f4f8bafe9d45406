package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/api/apitest"
)

// axeSource is axe-core's axe.min.js, installed by `.ci/run` from
// e2e/package-lock.json, or found at $AXE_CORE_PATH.
var axeSource = sync.OnceValues(func() (string, error) {
	path := os.Getenv("AXE_CORE_PATH")
	if path == "" {
		path = "node_modules/axe-core/axe.min.js"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no axe-core (run `cd e2e && npm ci`, or set AXE_CORE_PATH): %w", err)
	}
	return string(b), nil
})

// axeViolation is one failed axe rule and the elements that fail it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func (v axeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s\n\t\t%s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t\t"))
}

// axeRun checks the page against every WCAG 2.0, 2.1 and 2.2 success criterion
// at levels A and AA that axe can test, and lists the violations.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
	.then(r => ({
		passed: r.passes.length,
		incomplete: r.incomplete.map(v => v.id + ' (' + v.nodes.length + ')'),
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || '', help: v.help,
			nodes: v.nodes.map(n => n.target.map(String).join(' ') + ': ' + n.failureSummary.replace(/\s+/g, ' ')),
		})),
	}))`

// axeResults is what axeRun returns.
type axeResults struct {
	Passed     int            `json:"passed"`     // rules that found nothing wrong
	Incomplete []string       `json:"incomplete"` // rules axe could not decide, for a person to check
	Violations []axeViolation `json:"violations"`
}

// checkAccessible runs axe-core on the page in the tab and fails the test with
// every WCAG 2.2 A or AA violation it finds. The page's Content-Security-Policy
// forbids inline scripts, but a script evaluated through DevTools is not the
// page's and runs regardless.
func checkAccessible(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		if onCI {
			t.Fatalf("%v (CI=true, so this is a failure)", err)
		}
		t.Skip(err)
	}
	res, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (axeResults, error) {
		if _, err := chromedp.Evaluate[chromedp.Void](src)(ctx, tg); err != nil {
			return axeResults{}, fmt.Errorf("inject axe-core: %w", err)
		}
		return chromedp.Evaluate[axeResults](axeRun, chromedp.EvalAwaitPromise)(ctx, tg)
	})
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	if res.Passed == 0 {
		t.Fatalf("%s: axe-core passed no rules: did it run?", page)
	}
	t.Logf("%s: axe: %d rules passed, %d violated; needs a person to check: %v", page, res.Passed, len(res.Violations), res.Incomplete)
	for _, v := range res.Violations {
		t.Errorf("%s: axe: %s", page, v)
	}
}

// The pages' Content-Security-Policy blocks inline scripts, and axe-core is
// injected as one would be; this pins that the policy is in force in the
// browser and that axe still runs, because DevTools' evaluation is exempt.
func TestAxe_RunsUnderAPolicyThatBlocksInlineScripts(t *testing.T) {
	srv := apitest.New(t)
	ctx := newTab(t)
	do(t, ctx, "open the survey", chromedp.Navigate(srv.URL+"/s/counselling"))
	ran := eval[bool](t, ctx, `(() => {
		const s = document.createElement('script');
		s.textContent = 'window.inlineRan = true';
		document.head.append(s);
		return window.inlineRan === true;
	})()`)
	if ran {
		t.Fatal("an inline script ran: the Content-Security-Policy is not in force")
	}
	checkAccessible(t, ctx, "survey")
}

// checkReflow fails the test if the page scrolls sideways (WCAG 1.4.10,
// Reflow): at a phone's width everything but a wide table or chart must fit,
// and those scroll in a region of their own. It names the widest elements
// that stick out, to say where to look.
func checkReflow(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	const js = `(() => {
		const root = document.documentElement, width = root.clientWidth;
		if (root.scrollWidth <= width) return [];
		const out = [];
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();
			if (r.right > width + 1 && !el.closest('.scroll') && getComputedStyle(el).position !== 'absolute')
				out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ')[0] : '') + ' ends at ' + Math.round(r.right) + 'px');
		}
		return [root.scrollWidth + 'px wide in a ' + width + 'px window', ...out.slice(0, 5)];
	})()`
	if over := eval[[]string](t, ctx, js); len(over) > 0 {
		t.Errorf("%s: the page scrolls sideways: %s", page, strings.Join(over, "; "))
	}
}
