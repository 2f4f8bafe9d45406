package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

// A proxy that appends to X-Forwarded-For keeps what the client sent on the
// left: the limit must key on the rightmost address our proxies did not add.
func TestRateLimit_KeysOnTheRightmostAddressNotATrustedProxy(t *testing.T) {
	srv := apitest.New(t, apitest.WithRateLimit(2), apitest.WithTrustedProxies("127.0.0.1", "10.0.0.0/8"))
	// One client, choosing a new leftmost entry each time, behind two of our proxies.
	for i := range 2 {
		if code := getFrom(t, srv, fmt.Sprintf("198.51.100.%d, 203.0.113.7, 10.1.2.3", i)); code != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, code)
		}
	}
	if code := getFrom(t, srv, "198.51.100.99, 203.0.113.7, 10.1.2.3"); code != http.StatusTooManyRequests {
		t.Fatalf("a forged leftmost X-Forwarded-For escaped the limit: %d", code)
	}
	// Another client behind the same proxies has its own allowance.
	if code := getFrom(t, srv, "203.0.113.8:51234, 10.9.9.9"); code != http.StatusOK {
		t.Fatalf("another client (with a port) limited with the first: %d", code)
	}
	// An entry that is no address, written by the client, does not matter; the
	// address our proxy appended still counts.
	if code := getFrom(t, srv, "not-an-address, 203.0.113.7"); code != http.StatusTooManyRequests {
		t.Fatalf("garbage on the left escaped the limit: %d", code)
	}
}
