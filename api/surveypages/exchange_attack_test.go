package surveypages_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudflare/circl/blindsign/blindrsa"

	"github.com/feedback-service/feedback/api/apitest"
)

// The attack: whoever holds an invitation code (an SMS gateway's log, a
// shared phone) sends it to the exchange to learn whether that person has
// answered. Each kind of code that cannot be spent (used, expired, unknown,
// another service's) gets the same answer as an unused one: status, every
// header but Date, the body's shape and length, and about the same time (the
// same RSA work); only the blind signature's check, which needs the browser's
// secret blinding factor, tells a decoy from a signature.
func TestAttack_TheExchangeAnswersUsedExpiredAndUnknownCodesAsAnUnusedOne(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	late := mustMint(t, srv, "counselling")
	clock.Advance(15 * 24 * time.Hour) // late has expired
	used := mustMint(t, srv, "counselling")
	if x := blindExchange(t, srv, "counselling", used); x.token == "" {
		t.Fatalf("spending the used code: %d %s", x.status, x.response)
	}
	id, pk := tokenKey(t, srv, "counselling")
	client, err := blindrsa.NewClient(blindrsa.SHA384PSSRandomized, pk)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		name string
		code func() string
	}{
		{"unused", func() string { return mustMint(t, srv, "counselling") }},
		{"used", func() string { return used }},
		{"expired", func() string { return late }},
		{"unknown", func() string { return "AAAAAAAAAAAAAAAAAAAA" }},
		{"another service's", func() string { return mustMint(t, srv, "peer-support") }},
		{"garbled", func() string { return "../../etc" }},
	}
	type answer struct {
		status  int
		header  http.Header
		body    string
		took    time.Duration
		signing bool
	}
	const rounds = 12
	answers := map[string][]answer{}
	for range rounds {
		for _, k := range kinds {
			prepared, _ := client.Prepare(rand.Reader, make([]byte, 32))
			blinded, state, err := client.Blind(rand.Reader, prepared)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := json.Marshal(map[string]string{"invitation": k.code(), "key": id, "blinded": b64.EncodeToString(blinded)})
			before := cpuTime(t)
			resp, body := srv.PostJSON(t, "/s/counselling/token", string(req))
			took := cpuTime(t) - before
			var out struct{ Signature string }
			signing := false
			if json.Unmarshal([]byte(body), &out) == nil {
				sig, _ := b64.DecodeString(out.Signature)
				_, err := client.Finalize(state, sig)
				signing = err == nil
			}
			h := resp.Header.Clone()
			h.Del("Date")
			answers[k.name] = append(answers[k.name], answer{resp.StatusCode, h, body, took, signing})
		}
	}
	want := answers["unused"][0]
	shape := func(body string) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			return "not JSON"
		}
		keys := []string{}
		for k, v := range m {
			s, _ := v.(string)
			keys = append(keys, k+":"+strings.Repeat("x", len(s)))
		}
		slices.Sort(keys)
		return strings.Join(keys, ",")
	}
	if want.status != http.StatusOK || shape(want.body) != "signature:"+strings.Repeat("x", 342) {
		t.Fatalf("an unused code: %d %s", want.status, want.body)
	}
	// The work an answer costs, as this process's CPU time (client and server
	// both run here): a machine busy with other processes stretches the wall
	// clock, not that. The median, since a read of it can also miss what a
	// thread still running on another core has not yet been charged.
	median := func(as []answer) time.Duration {
		d := make([]time.Duration, len(as))
		for i, a := range as {
			d[i] = a.took
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	base := median(answers["unused"])
	for _, k := range kinds {
		for _, a := range answers[k.name] {
			if a.status != want.status || !equalHeaders(a.header, want.header) || len(a.body) != len(want.body) || shape(a.body) != shape(want.body) {
				t.Fatalf("%s code answered %d %v (%d bytes: %.60s), an unused one %d %v (%d bytes)",
					k.name, a.status, a.header, len(a.body), a.body, want.status, want.header, len(want.body))
			}
			if a.signing != (k.name == "unused") {
				t.Fatalf("%s code: its answer signs the blinded message: %v", k.name, a.signing)
			}
		}
		m := median(answers[k.name])
		t.Logf("%-18s median %v of CPU", k.name, m)
		// A decoy costs what a signature costs: one without the RSA work
		// answered in a tenth of the time.
		if m < base/2 {
			t.Errorf("%s codes are answered in %v, unused ones in %v: the time tells them apart", k.name, m, base)
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
