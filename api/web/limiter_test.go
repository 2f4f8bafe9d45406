package web

import (
	"testing"
	"time"
)

// A minute's worth passes at once, then one more each 60/n seconds; other
// addresses are not held up; an address idle for the longest period is
// forgotten at the next sweep.
func TestRateLimiter_BurstRefillAndForgetting(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	l := NewRateLimiter(6, time.Hour, func() time.Time { return now })
	defer l.Stop()
	for i := range 6 {
		if ok, _ := l.allow("192.0.2.1"); !ok {
			t.Fatalf("request %d of a minute's six refused", i+1)
		}
	}
	ok, retry := l.allow("192.0.2.1")
	if ok || retry != 10*time.Second {
		t.Fatalf("the seventh: %v, retry in %v, want refused for 10s", ok, retry)
	}
	if ok, _ := l.allow("192.0.2.2"); !ok {
		t.Fatal("another address was held up")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.allow("192.0.2.1"); !ok {
		t.Fatal("refused after a token's time")
	}
	now = now.Add(59 * time.Second) // the second address has been idle 69 s, the first 59 s
	l.sweep()
	if n := l.held(); n != 1 {
		t.Fatalf("%d addresses held, want the one idle under a minute", n)
	}
	now = now.Add(2 * time.Second)
	l.sweep()
	if n := l.held(); n != 0 {
		t.Fatalf("%d addresses held after a minute idle, want 0", n)
	}
	var none *RateLimiter
	none.Stop()
}

// held counts the keys a limiter holds.
func (l *limiter) held() int {
	n := 0
	for i := range l.shards {
		l.shards[i].mu.Lock()
		n += len(l.shards[i].keys)
		l.shards[i].mu.Unlock()
	}
	return n
}
