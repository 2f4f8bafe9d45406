package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

func TestSecurityHeaders_OnEveryKindOfResponse(t *testing.T) {
	srv := apitest.New(t)
	for _, path := range []string{"/s/counselling", "/s/counselling/thanks", "/nowhere", "/api/v1/surveys", "/api/v1/nope", "/healthz"} {
		resp, _ := srv.Get(t, path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "style-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", path)
		}
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
		if resp.Header.Get("Permissions-Policy") == "" {
			t.Errorf("%s: no Permissions-Policy", path)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain http", path)
		}
		if resp.Header.Values("Set-Cookie") != nil {
			t.Errorf("%s: Set-Cookie", path)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	srv := apitest.New(t)
	if resp, body := srv.Get(t, "/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", resp.StatusCode, body)
	}
	if resp, body := srv.Get(t, "/readyz"); resp.StatusCode != 200 || body != "ready\n" {
		t.Fatalf("readyz %d %q", resp.StatusCode, body)
	}
}

func TestRateLimit_RefusesABurstFromOneAddressButNotHealthChecks(t *testing.T) {
	srv := apitest.New(t, apitest.WithRateLimit(5))
	for i := 0; i < 5; i++ {
		if resp, _ := srv.Get(t, "/s/counselling"); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := srv.Get(t, "/s/counselling")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "wait a minute") {
		t.Fatalf("6th request: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, _ = srv.Get(t, "/api/v1/surveys")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("API over the limit: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := srv.Get(t, "/healthz"); resp.StatusCode != 200 {
		t.Fatalf("health check limited: %d", resp.StatusCode)
	}
}

func getFrom(t *testing.T, srv *apitest.Server, forwardedFor string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/s/counselling", nil)
	req.Header.Set("X-Forwarded-For", forwardedFor)
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRateLimit_BelievesForwardedAddressesOnlyFromTrustedProxies(t *testing.T) {
	trusted := apitest.New(t, apitest.WithRateLimit(2), apitest.WithTrustedProxies("127.0.0.1"))
	for i, addr := range []string{"203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.2", "203.0.113.3"} {
		if code := getFrom(t, trusted, addr); code != 200 {
			t.Fatalf("behind a trusted proxy, request %d from %s: %d", i+1, addr, code)
		}
	}
	if code := getFrom(t, trusted, "203.0.113.1"); code != http.StatusTooManyRequests {
		t.Fatalf("third request from one forwarded address: %d", code)
	}
	untrusted := apitest.New(t, apitest.WithRateLimit(2))
	getFrom(t, untrusted, "203.0.113.1")
	getFrom(t, untrusted, "203.0.113.2")
	if code := getFrom(t, untrusted, "203.0.113.3"); code != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For from an untrusted client escaped the limit: %d", code)
	}
}
