package web

import (
	"testing"
	"time"
)

// Five a minute, twenty an hour: a sender who keeps to five a minute is
// stopped after twenty, until the hour's bucket has one again; another
// sender is not.
func TestSubmissionLimiter_FiveAMinuteAndTwentyAnHourPerSender(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	l := NewSubmissionLimiter(DefaultSubmissionLimits, func() time.Time { return now })
	defer l.Stop()
	sent := 0
	for minute := range 6 {
		if minute > 0 {
			now = now.Add(time.Minute)
		}
		for range 7 {
			if ok, _ := l.Allow("open\x00counselling\x00192.0.2.1"); ok {
				sent++
			}
		}
		if minute < 4 && sent != 5*(minute+1) {
			t.Fatalf("minute %d: %d sent, want 5 a minute", minute, sent)
		}
	}
	if sent != 21 { // twenty, and one more the hour's bucket refilled in five minutes
		t.Fatalf("%d sent in six minutes, want 21", sent)
	}
	ok, retry := l.Allow("open\x00counselling\x00192.0.2.1")
	if ok || retry <= 0 || retry > 3*time.Minute {
		t.Fatalf("after the hour's twenty: %v, retry in %v", ok, retry)
	}
	if ok, _ := l.Allow("open\x00counselling\x00192.0.2.2"); !ok {
		t.Fatal("another sender was held up")
	}
	var none *SubmissionLimiter
	if ok, _ := none.Allow("x"); !ok {
		t.Fatal("a nil limiter refused")
	}
}
