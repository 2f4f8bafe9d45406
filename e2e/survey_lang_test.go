package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/api/apitest"
)

// On a 360×740 phone the first question starts on the first screen, below a
// short emergency box seen whole, in either language; and the 0–10 scale is
// one row with its end labels under its ends.
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
				if rows > 1 {
					t.Errorf("the 0–10 scale wraps onto %d rows", rows)
				}
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
