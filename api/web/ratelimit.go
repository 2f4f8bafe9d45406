package web

import "time"

// RateLimiter is a token bucket per client address (limiter.go), a minute's
// worth deep. It is generous by design: many phones can share one
// mobile-carrier address.
type RateLimiter struct{ *limiter }

// NewRateLimiter returns nil (no limit) when perMinute is 0 or less; now is
// the clock its buckets fill by, and idle addresses are forgotten every sweep.
func NewRateLimiter(perMinute int, sweep time.Duration, now func() time.Time) *RateLimiter {
	if perMinute <= 0 {
		return nil
	}
	return &RateLimiter{newLimiter(now, sweep, rate{float64(perMinute), time.Minute})}
}

// Stop ends the sweeping goroutine; a nil limiter has none.
func (l *RateLimiter) Stop() {
	if l != nil {
		l.stop()
	}
}
