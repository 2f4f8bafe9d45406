package surveypages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/apitest"
)

// noStore is the Cache-Control of every answer on a survey route, but two
// deliberate ones: a form sent back with its answers stays in the browser's
// own cache (Back shows it, not "Confirm form resubmission"), and the token
// key is the same for everybody, cacheable by anyone.
const (
	noStore  = "no-store"
	sentBack = "private, max-age=0"
)

// Every survey route, and every kind of answer it gives (pages, the 303 after
// sending, refusals before any handler, error pages), says no-store unless it
// is one of the two deliberate exceptions; and no survey route is left out.
func TestCache_EverySurveyPageAndRedirectIsNoStore(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	late := mustMint(t, srv, "counselling")
	clock.Advance(15 * 24 * time.Hour)
	code := mustMint(t, srv, "counselling")
	invalid := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	invalid.Del("fft")
	id, _ := tokenKey(t, srv, "counselling")
	decoy := `{"invitation":"` + late + `","key":"` + id + `","blinded":"` + strings.Repeat("A", 342) + `"}`
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		route, what, method, path, contentType, body string
		status                                       int
		want                                         string
	}{
		{"GET /s/:service", "the form", "GET", "/s/counselling", "", "", 200, noStore},
		{"GET /s/:service", "the form in Welsh", "GET", "/s/counselling?lang=cy", "", "", 200, noStore},
		{"GET /s/:service", "no such survey", "GET", "/s/nope", "", "", 404, noStore},
		{"POST /s/:service", "answers stored: the 303", "POST", "/s/counselling", form, apitest.ValidForm(srv.FormNonce(t, "counselling")).Encode(), 303, noStore},
		{"POST /s/:service", "answers to change: the form sent back", "POST", "/s/counselling", form, invalid.Encode(), 422, sentBack},
		{"POST /s/:service", "a stale form", "POST", "/s/counselling", form, url.Values{"nonce": {"forged"}, "fft": {"good"}}.Encode(), 422, sentBack},
		{"POST /s/:service", "not a form", "POST", "/s/counselling", "text/plain", "hello", 415, noStore},
		{"POST /s/:service", "too large", "POST", "/s/counselling", form, "fft_why=" + strings.Repeat("x", 70<<10), 413, noStore},
		{"GET /s/:service/thanks", "thank you", "GET", "/s/counselling/thanks?lang=en", "", "", 200, noStore},
		{"GET /s/:service/thanks", "thank you, already", "GET", "/s/counselling/thanks?lang=cy&already=1", "", "", 200, noStore},
		{"GET /s/:service/thanks", "no such survey", "GET", "/s/nope/thanks", "", "", 404, noStore},
		{"GET /s/:service/privacy", "privacy", "GET", "/s/counselling/privacy", "", "", 200, noStore},
		{"GET /s/:service/privacy", "no such survey", "GET", "/s/nope/privacy", "", "", 404, noStore},
		{"GET /s/:service/you-said-we-did", "you said, we did", "GET", "/s/counselling/you-said-we-did?lang=cy", "", "", 200, noStore},
		{"GET /s/:service/you-said-we-did", "no such survey", "GET", "/s/nope/you-said-we-did", "", "", 404, noStore},
		{"GET /i/:code", "an invitation", "GET", "/i/" + code, "", "", 200, noStore},
		{"GET /i/:code", "an expired invitation", "GET", "/i/" + late, "", "", 410, noStore},
		{"GET /i/:code", "a broken link", "GET", "/i/broken", "", "", 404, noStore},
		{"GET /s/:service/token-key", "the token key", "GET", "/s/counselling/token-key", "", "", 200, "public, max-age="},
		{"POST /s/:service/token", "an exchange", "POST", "/s/counselling/token", "application/json", decoy, 200, noStore},
		{"POST /s/:service/token", "a malformed exchange", "POST", "/s/counselling/token", "application/json", "{}", 409, noStore},
		{"", "a method no survey route takes", "PUT", "/s/counselling", form, "", 404, noStore},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		var body []byte
		if c.body != "" {
			body = []byte(c.body)
		}
		resp, _ := srv.Do(t, c.method, c.path, c.contentType, body)
		got := resp.Header.Get("Cache-Control")
		if resp.StatusCode != c.status || !strings.HasPrefix(got, c.want) || (c.want == noStore && got != noStore) {
			t.Errorf("%s (%s %s): %d with Cache-Control %q, want %d with %q", c.what, c.method, c.path, resp.StatusCode, got, c.status, c.want)
		}
		covered[c.route] = true
	}
	// Every survey route is in the table above.
	for _, r := range srv.App.App.GetRoutes(true) {
		if (r.Method != "GET" && r.Method != "POST") || !(strings.HasPrefix(r.Path, "/s/") || strings.HasPrefix(r.Path, "/i/")) {
			continue
		}
		if !covered[r.Method+" "+r.Path] {
			t.Errorf("survey route %s %s: no case above says what it caches", r.Method, r.Path)
		}
	}

	// Refused before any handler: too many requests (the form sent back when
	// too many answers come from one sender: TestSubmit_OpenAnswersAreLimited…).
	limited := apitest.New(t, apitest.WithRateLimit(3))
	limited.Get(t, "/s/counselling")
	limited.Get(t, "/s/counselling")
	limited.Get(t, "/s/counselling")
	if resp, _ := limited.Get(t, "/s/counselling/privacy"); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Cache-Control") != noStore {
		t.Errorf("too many requests: %d with Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}
