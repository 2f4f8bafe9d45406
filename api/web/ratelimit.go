package web

import (
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

// RateLimiter is a token bucket per client address, held in memory only and
// forgotten after a few idle minutes. It is generous by design: many phones can
// share one mobile-carrier address.
type RateLimiter struct {
	perMinute int
	shards    [64]limiterShard
	seed      maphash.Seed
	now       func() time.Time
	quit      chan struct{}
	once      sync.Once
}

type limiterShard struct {
	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

// NewRateLimiter returns nil (no limit) when perMinute is 0 or less; now is
// the clock its buckets fill by.
func NewRateLimiter(perMinute int, sweep time.Duration, now func() time.Time) *RateLimiter {
	if perMinute <= 0 {
		return nil
	}
	l := &RateLimiter{perMinute: perMinute, seed: maphash.MakeSeed(), now: now, quit: make(chan struct{})}
	for i := range l.shards {
		l.shards[i].buckets = map[string]*tokenBucket{}
	}
	go l.sweepEvery(sweep)
	return l
}

// allow takes one token for key, or says how long until one is free. A full
// bucket holds a minute's worth, so bursts up to the limit pass.
func (l *RateLimiter) allow(key string) (bool, time.Duration) {
	sh := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	now := l.now()
	rate := float64(l.perMinute) / 60 // tokens a second
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := sh.buckets[key]
	if !ok {
		b = &tokenBucket{tokens: float64(l.perMinute), last: now}
		// The key may point into a reused request buffer: keep a copy.
		sh.buckets[strings.Clone(key)] = b
	}
	b.tokens = min(float64(l.perMinute), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// sweepEvery forgets buckets that have refilled, so memory follows the number
// of recently active clients and no address is kept longer than it matters.
func (l *RateLimiter) sweepEvery(d time.Duration) {
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

func (l *RateLimiter) sweep() {
	cutoff := l.now().Add(-time.Minute)
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for k, b := range sh.buckets {
			if b.last.Before(cutoff) {
				delete(sh.buckets, k)
			}
		}
		sh.mu.Unlock()
	}
}

// Stop ends the sweeping goroutine; a nil limiter has none.
func (l *RateLimiter) Stop() {
	if l != nil {
		l.once.Do(func() { close(l.quit) })
	}
}
