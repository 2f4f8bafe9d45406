package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/api/apitest"
)

// On a 360×740 phone the first question starts on the first screen, below a
// short emergency box seen whole, in either language; and the 0–10 scale's
// buttons are 44×44 px targets, in at most two rows, with its end labels
// under its ends (eleven 44 px targets do not fit one row of a phone).
func TestSurvey_TheFirstQuestionIsOnTheFirstScreenOfAPhone(t *testing.T) {
	srv := apitest.New(t)
	for _, d := range surveys(t) {
		for _, l := range languages {
			t.Run(d.Service+"/"+string(l), func(t *testing.T) {
				ctx := newTab(t)
				openIn(t, ctx, phone, srv, d, l)
				fieldset := eval[float64](t, ctx, `document.querySelector('form fieldset').getBoundingClientRect().top`)
				help := eval[float64](t, ctx, `document.querySelector('.urgent').getBoundingClientRect().bottom`)
				t.Logf("emergency box ends at %.0f px, first question starts at %.0f px", help, fieldset)
				if fieldset >= float64(phone.height) {
					t.Errorf("the first question starts at %.0f px, below the first %d px", fieldset, phone.height)
				}
				if help >= fieldset {
					t.Errorf("the emergency box ends at %.0f px, after the first question", help)
				}
				rows := eval[int](t, ctx, `new Set([...document.querySelectorAll('.numbers label')].map(l => Math.round(l.getBoundingClientRect().top))).size`)
				if rows > 2 {
					t.Errorf("the 0–10 scale wraps onto %d rows", rows)
				}
				checkTargets(t, ctx)
				ends := eval[[]float64](t, ctx, `(() => { const n = [...document.querySelectorAll('.numbers label')], e = [...document.querySelectorAll('.ends span')];
					return [n[0].getBoundingClientRect().left, e[0].getBoundingClientRect().left, n[10].getBoundingClientRect().right, e[1].getBoundingClientRect().right] })()`)
				if len(ends) == 4 && (ends[1] > ends[0]+2 || ends[3] < ends[2]-2) {
					t.Errorf("scale end labels not under the ends: %v", ends)
				}
			})
		}
	}
}

// Back after a form sent with a mistake and then sent right shows the form
// again, not the browser's "Confirm form resubmission".
func TestSurvey_BackAfterSendingAsksNoResubmission(t *testing.T) {
	srv := apitest.New(t)
	d := surveys(t)[0]
	ctx := newTab(t)
	open(t, ctx, phone, srv, d)
	submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusUnprocessableEntity, "/s/"+d.Service+"?lang=en")
	tapAnswers(t, ctx, answersFor(d)[:1])
	submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, "en"))
	do(t, ctx, "go back", chromedp.NavigateBack())
	if n := eval[int](t, ctx, `document.querySelectorAll('form button[type=submit]').length`); n != 1 {
		body := eval[string](t, ctx, `document.body ? document.body.innerText.slice(0, 200) : ''`)
		t.Fatalf("Back after sending shows no form: %q", body)
	}
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d responses stored", n)
	}
}

// checkTargets fails unless every 0–10 button is at least 44×44 px.
func checkTargets(t *testing.T, ctx context.Context) {
	t.Helper()
	small := eval[[]string](t, ctx, `[...document.querySelectorAll('.numbers label')].map(l => l.getBoundingClientRect()).filter(r => r.width < 44 || r.height < 44).map(r => r.width + '×' + r.height)`)
	if len(small) > 0 {
		t.Errorf("0–10 buttons smaller than 44×44 px: %v", small)
	}
}

// At 320 px wide, the narrowest phone WCAG reflows to, the 0–10 buttons are
// still 44×44 px targets and the page does not scroll sideways.
func TestSurvey_TheScaleButtonsAre44PxAt320PxWide(t *testing.T) {
	srv := apitest.New(t)
	d := surveys(t)[0]
	ctx := newTab(t)
	narrow := viewport{"narrow-phone", 320, 640, true}
	open(t, ctx, narrow, srv, d)
	checkTargets(t, ctx)
	if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 320 {
		t.Errorf("the page is %.0f px wide at 320", w)
	}
	screenshot(t, ctx, "survey-320", narrow)
}
