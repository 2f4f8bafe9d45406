package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/api/apitest"
)

// A phone refused by the rate limit reads the refusal in the survey's language
// and layout, and the page passes axe-core like every other.
func TestRefused_TooManyRequestsInWelshMeetsWCAG22AA(t *testing.T) {
	srv := apitest.New(t, apitest.WithRateLimit(1))
	ctx := newTab(t)
	do(t, ctx, "emulate "+phone.name, phone.emulate())
	for i, want := range []int{http.StatusOK, http.StatusTooManyRequests} {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/s/counselling?lang=cy"))
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		if resp.Status != int64(want) {
			t.Fatalf("request %d: status %d, want %d", i+1, resp.Status, want)
		}
	}
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "cy" {
		t.Fatalf("the refusal's language is %q", lang)
	}
	screenshot(t, ctx, "cy-too-many-requests", phone)
	checkAccessible(t, ctx, "cy-too-many-requests at "+phone.name+" width")
	checkReflow(t, ctx, "cy-too-many-requests at "+phone.name+" width")
}
