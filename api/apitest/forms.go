package apitest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// Helpers the audiences' tests share for forms, redirects and nonces.

// SessionCookie is the staff session cookie's name over plain HTTP, as the
// test server runs.
const SessionCookie = "feedback_session"

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRFIn returns the CSRF token of the first staff form in a page.
func CSRFIn(t testing.TB, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in the page:\n%s", body)
	}
	return m[1]
}

// With returns a copy of form with key set to value.
func With(f url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = v
	}
	out.Set(key, value)
	return out
}

// PostWithCSRF sends a form with the browser's CSRF token.
func PostWithCSRF(t testing.TB, b *Browser, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return b.PostForm(t, path, With(form, "csrf", b.CSRF(t)))
}

// WantRedirect fails the test unless resp is a 303 to location.
func WantRedirect(t testing.TB, what string, resp *http.Response, location string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != location {
		t.Fatalf("%s: %d to %q, want 303 to %q", what, resp.StatusCode, resp.Header.Get("Location"), location)
	}
}

// ValidForm is a complete, valid answer to the counselling survey's form
// carrying nonce.
func ValidForm(nonce string) url.Values {
	return url.Values{
		"nonce": {nonce}, "website": {""}, "fft": {"very_good"}, "fft_why": {"Listened, no judgement. jo@example.com"},
		"ease": {"easy"}, "listened": {"yes"}, "recommend": {"9"}, "helped": {"work", "other"},
	}
}

// APINonce fetches a survey's definition from the JSON API and returns its
// nonce.
func APINonce(t testing.TB, srv *Server, service string) string {
	t.Helper()
	resp, body := srv.Get(t, "/api/v1/surveys/"+service)
	var s struct {
		Nonce     string `json:"nonce"`
		Questions []struct {
			ID string `json:"id"`
		} `json:"questions"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &s) != nil || s.Nonce == "" || s.Questions[0].ID != "fft" {
		t.Fatalf("GET survey: %d %s", resp.StatusCode, body)
	}
	return s.Nonce
}

// Views reads each of routes as b, by route, failing on any status but 200.
func Views(t testing.TB, b *Browser, routes []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range routes {
		resp, body := b.Get(t, v)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", v, resp.StatusCode)
		}
		out[v] = body
	}
	return out
}
