package invitation

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
)

var testSecret = bytes.Repeat([]byte("s"), MinSecretLength)

// codesStart is where the tests' clock starts: noon on Monday 23 November
// 2026, or FEEDBACK_TEST_NOW.
var codesStart = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// at is a time the tests name as in November 2026 and the months after, on
// the calendar of the month the clock starts in (see clocktest.Shift).
func at(y int, m time.Month, d, h, min int) time.Time {
	return clocktest.Shift(codesStart, time.Date(y, m, d, h, min, 0, 0, time.UTC))
}

// month is the month the tests name as y-m, on the same calendar: "2026-11"
// is the month the clock starts in.
func month(y int, m time.Month, layout string) string { return at(y, m, 1, 0, 0).Format(layout) }

// newTestCodes gives codes on a clock starting at codesStart.
func newTestCodes(t testing.TB) (*Codes, *clocktest.Clock) {
	t.Helper()
	clock := clocktest.NewAt(codesStart)
	c, err := New(testSecret, Config{BaseURL: "https://feedback.example.org/", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c, clock
}

func mint(t *testing.T, c *Codes, service string) string {
	t.Helper()
	code, err := c.Mint(service)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestMint_CodesAreShortURLSafeAndNeverRepeat(t *testing.T) {
	c, _ := newTestCodes(t)
	seen := map[string]bool{}
	for range 1000 {
		code := mint(t, c, "peer-support")
		if len(code) != CodeLength || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("code %q: want %d base64url characters", code, CodeLength)
		}
		if seen[code] {
			t.Fatalf("code %q minted twice", code)
		}
		seen[code] = true
	}
	link, err := c.Link("counselling")
	if err != nil || !strings.HasPrefix(link, "https://feedback.example.org/i/") || len(link) != len("https://feedback.example.org/i/")+CodeLength {
		t.Fatalf("Link = %q, %v", link, err)
	}
}

func TestVerify_AcceptsACodeToTheEndOfItsExpiryDay(t *testing.T) {
	c, clock := newTestCodes(t)
	code := mint(t, c, "counselling")
	inv, err := c.Verify(code)
	y, m, d := clock.Now().Date()
	wantExpiry := time.Date(y, m, d+14, 0, 0, 0, 0, time.UTC) // 14 days on
	if err != nil || inv.Service != "counselling" || !inv.Expires.Equal(wantExpiry) {
		t.Fatalf("Verify = %+v, %v; want counselling expiring %v", inv, err, wantExpiry)
	}
	clock.Set(wantExpiry.Add(24*time.Hour - time.Second))
	if _, err := c.Verify(code); err != nil {
		t.Fatalf("on the last second of its expiry day: %v", err)
	}
	clock.Set(wantExpiry.Add(24 * time.Hour))
	if _, err := c.Verify(code); !errors.Is(err, ErrExpired) {
		t.Fatalf("the day after expiry: %v, want ErrExpired", err)
	}
}

func TestVerify_RefusesAlteredTruncatedAndForeignCodes(t *testing.T) {
	c, _ := newTestCodes(t)
	code := mint(t, c, "counselling")
	other, err := New(bytes.Repeat([]byte("o"), MinSecretLength), Config{BaseURL: "https://feedback.example.org", Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := []byte(code)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	cases := map[string]string{
		"empty":                 "",
		"truncated":             code[:CodeLength-1],
		"extended":              code + "A",
		"not base64url":         code[:CodeLength-1] + "=",
		"another secret's code": mint(t, other, "counselling"),
	}
	for i := range CodeLength {
		cases["character "+string(rune('a'+i))+" altered"] = flip(i)
	}
	for name, bad := range cases {
		if _, err := c.Verify(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s (%q): %v, want ErrInvalid", name, bad, err)
		}
	}
	if _, err := c.VerifyFor("peer-support", code); !errors.Is(err, ErrInvalid) {
		t.Errorf("a counselling code on the peer-support page: %v, want ErrInvalid", err)
	}
	if _, err := c.VerifyFor("counselling", code); err != nil {
		t.Errorf("a counselling code on its own page: %v", err)
	}
}

func TestNew_RefusesAShortSecretAndABadLifetime(t *testing.T) {
	for name, tc := range map[string]struct {
		secret []byte
		cfg    Config
		want   string
	}{
		"short secret":  {testSecret[:MinSecretLength-1], Config{BaseURL: "https://x.org"}, "at least 32"},
		"no base URL":   {testSecret, Config{}, "base URL"},
		"part of a day": {testSecret, Config{BaseURL: "https://x.org", TTL: 36 * time.Hour}, "whole days"},
		"over a year":   {testSecret, Config{BaseURL: "https://x.org", TTL: 400 * 24 * time.Hour}, "whole days"},
		"negative":      {testSecret, Config{BaseURL: "https://x.org", TTL: -24 * time.Hour}, "whole days"},
	} {
		if _, err := New(tc.secret, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
	c, _ := newTestCodes(t)
	if _, err := c.Mint("dentistry"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Mint for an unknown service: %v", err)
	}
}
