package web

import "time"

// SubmissionLimiter limits how many answers one sender may send to one
// survey: far below the general limit, because a person answers once, and
// many open answers from one client could pad a small published group until
// one real answer in it stands out (issue 31). A sender is a client address
// and a survey for open answers, an invitation or a token for invited ones.
// Each sender has two token buckets (a minute's and an hour's; limiter.go).
type SubmissionLimiter struct{ *limiter }

// SubmissionLimits are the answers one sender may send to one survey in a
// minute and in an hour.
type SubmissionLimits struct{ PerMinute, PerHour int }

// DefaultSubmissionLimits: one person needs one answer; five a minute leaves
// room for a form sent again, twenty an hour for a shared address.
var DefaultSubmissionLimits = SubmissionLimits{PerMinute: 5, PerHour: 20}

// NewSubmissionLimiter returns nil (no limit) when either limit is 0 or less.
func NewSubmissionLimiter(limits SubmissionLimits, now func() time.Time) *SubmissionLimiter {
	if limits.PerMinute <= 0 || limits.PerHour <= 0 {
		return nil
	}
	return &SubmissionLimiter{newLimiter(now, time.Minute,
		rate{float64(limits.PerMinute), time.Minute}, rate{float64(limits.PerHour), time.Hour})}
}

// Allow takes one answer from sender's buckets, or says how long until both
// have one. A nil limiter allows everything.
func (l *SubmissionLimiter) Allow(sender string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	return l.allow(sender)
}

// Stop ends the sweeping goroutine; a nil limiter has none.
func (l *SubmissionLimiter) Stop() {
	if l != nil {
		l.stop()
	}
}
