package web

import (
	"hash/maphash"
	"sync"
	"time"
)

// SubmissionLimiter limits how many answers one sender may send to one
// survey: far below the general limit, because a person answers once, and
// many open answers from one client could pad a small published group until
// one real answer in it stands out (issue 31). A sender is a client address
// and a survey for open answers, an invitation or a token for invited ones.
// Each key has two token buckets (a minute's and an hour's); keys are hashed
// with a seed made at start-up and held in memory only, so no address is
// kept, and a key is forgotten once both its buckets are full again.
type SubmissionLimiter struct {
	limits SubmissionLimits
	shards [16]submissionShard
	seed   maphash.Seed
	now    func() time.Time
	quit   chan struct{}
	once   sync.Once
}

// SubmissionLimits are the answers one sender may send to one survey in a
// minute and in an hour.
type SubmissionLimits struct{ PerMinute, PerHour int }

// DefaultSubmissionLimits: one person needs one answer; five a minute leaves
// room for a form sent again, twenty an hour for a shared address.
var DefaultSubmissionLimits = SubmissionLimits{PerMinute: 5, PerHour: 20}

type submissionShard struct {
	mu      sync.Mutex
	senders map[uint64]*senderBuckets
}

type senderBuckets struct {
	minute, hour float64
	last         time.Time
}

// NewSubmissionLimiter returns nil (no limit) when either limit is 0 or less.
func NewSubmissionLimiter(limits SubmissionLimits, now func() time.Time) *SubmissionLimiter {
	if limits.PerMinute <= 0 || limits.PerHour <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	l := &SubmissionLimiter{limits: limits, seed: maphash.MakeSeed(), now: now, quit: make(chan struct{})}
	for i := range l.shards {
		l.shards[i].senders = map[uint64]*senderBuckets{}
	}
	go l.sweepEvery(time.Minute)
	return l
}

// Allow takes one answer from sender's buckets, or says how long until both
// have one. A nil limiter allows everything.
func (l *SubmissionLimiter) Allow(sender string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	h := maphash.String(l.seed, sender)
	sh := &l.shards[h%uint64(len(l.shards))]
	now := l.now()
	perMinute, perHour := float64(l.limits.PerMinute), float64(l.limits.PerHour)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := sh.senders[h]
	if !ok {
		b = &senderBuckets{minute: perMinute, hour: perHour, last: now}
		sh.senders[h] = b
	}
	elapsed := now.Sub(b.last).Seconds()
	b.minute = min(perMinute, b.minute+elapsed*perMinute/60)
	b.hour = min(perHour, b.hour+elapsed*perHour/3600)
	b.last = now
	if b.minute < 1 || b.hour < 1 {
		wait := max((1-b.minute)/(perMinute/60), (1-b.hour)/(perHour/3600), 0)
		return false, time.Duration(wait * float64(time.Second))
	}
	b.minute--
	b.hour--
	return true, 0
}

func (l *SubmissionLimiter) sweepEvery(d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			l.sweep()
		}
	}
}

// sweep forgets senders whose hour bucket has refilled.
func (l *SubmissionLimiter) sweep() {
	cutoff := l.now().Add(-time.Hour)
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for k, b := range sh.senders {
			if b.last.Before(cutoff) {
				delete(sh.senders, k)
			}
		}
		sh.mu.Unlock()
	}
}

// Stop ends the sweeping goroutine; a nil limiter has none.
func (l *SubmissionLimiter) Stop() {
	if l != nil {
		l.once.Do(func() { close(l.quit) })
	}
}
