package surveypages_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

// One client can no longer pad a small group with open answers: five a minute
// from one address to one survey, then the form comes back with the answers,
// a clear message and Retry-After, and nothing is stored; the API answers 429.
// Another survey, and invited answers (each counted against its own
// invitation), are not held up by them.
func TestSubmit_OpenAnswersAreLimitedPerAddressAndSurvey(t *testing.T) {
	srv := apitest.New(t, apitest.WithRateLimit(300))
	for i := range 5 {
		form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
		if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("open answer %d: %d", i+1, resp.StatusCode)
		}
	}
	nonce := srv.FormNonce(t, "counselling")
	form := apitest.ValidForm(nonce)
	form.Set("fft_why", "the sixth, kept")
	resp, body := srv.PostForm(t, "/s/counselling", form)
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || retry < 1 || retry > 60 || !strings.Contains(body, "wait a few minutes") ||
		!strings.Contains(body, "the sixth, kept") || !strings.Contains(body, nonce) {
		t.Fatalf("sixth open answer in a minute: %d, Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	cy := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	if resp, body := srv.PostForm(t, "/s/counselling?lang=cy", cy); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "arhoswch ychydig funudau") {
		t.Fatalf("in Welsh: %d", resp.StatusCode)
	}
	api := `{"nonce":"` + apitest.APINonce(t, srv, "counselling") + `","answers":{"fft":"good"}}`
	if resp, body := srv.PostJSON(t, "/api/v1/surveys/counselling/responses", api); resp.StatusCode != http.StatusTooManyRequests ||
		resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("API answer after five: %d %s", resp.StatusCode, body)
	}
	// Another survey from the same address, and invited answers, go through.
	peer := peerForm(t, srv)
	if resp, body := srv.PostForm(t, "/s/peer-support", peer); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another survey: %d\n%s", resp.StatusCode, body)
	}
	for range 3 {
		code, nonce := newInvitation(t, srv, "counselling")
		invited := apitest.ValidForm(nonce)
		invited.Set("invitation", code)
		if resp, _ := srv.PostForm(t, "/s/counselling", invited); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("an invited answer after the open limit: %d", resp.StatusCode)
		}
	}
	// A code that does not verify counts as open.
	forged := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	forged.Set("invitation", "AAAAAAAAAAAAAAAAAAAA")
	if resp, _ := srv.PostForm(t, "/s/counselling", forged); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("an answer with a forged invitation after the open limit: %d", resp.StatusCode)
	}
	// One used invitation pads no faster than one address.
	code, nonce := newInvitation(t, srv, "peer-support")
	sent := 0
	for i := range 8 {
		if i > 0 {
			nonce = srv.FormNonce(t, "peer-support")
		}
		f := peerForm(t, srv)
		f.Set("nonce", nonce)
		f.Set("invitation", code)
		if resp, _ := srv.PostForm(t, "/s/peer-support", f); resp.StatusCode == http.StatusSeeOther {
			sent++
		}
	}
	if sent != 5 {
		t.Fatalf("one invitation sent %d answers in a minute, want 5", sent)
	}
}

// peerForm is a minimal answer to the peer-support survey, with a fresh nonce.
func peerForm(t *testing.T, srv *apitest.Server) url.Values {
	return url.Values{"nonce": {srv.FormNonce(t, "peer-support")}, "website": {""}, "fft": {"good"}}
}
