package web

import (
	"hash/maphash"
	"sync"
	"time"
)

// limiter is a set of token buckets per key, one per rate, held in memory
// only. Keys are hashed with a seed made at start-up and only the hash is
// kept, so no client address is held even in memory; a key is forgotten once
// its buckets would be full again. RateLimiter and SubmissionLimiter are its
// two uses.
type limiter struct {
	rates  []rate
	shards [64]limiterShard
	seed   maphash.Seed
	now    func() time.Time
	forget time.Duration // idle this long, every bucket is full again
	quit   chan struct{}
	once   sync.Once
}

// rate is a bucket's size and the time it takes to fill from empty.
type rate struct {
	n   float64
	per time.Duration
}

type limiterShard struct {
	mu   sync.Mutex
	keys map[uint64]*buckets
}

// buckets are one key's tokens, one per rate (two at most).
type buckets struct {
	tokens [2]float64
	last   time.Time
}

func newLimiter(now func() time.Time, sweep time.Duration, rates ...rate) *limiter {
	if now == nil {
		panic("web: a limiter without a clock")
	}
	if len(rates) == 0 || len(rates) > len(buckets{}.tokens) {
		panic("web: a limiter has one or two rates")
	}
	l := &limiter{rates: rates, seed: maphash.MakeSeed(), now: now, quit: make(chan struct{})}
	for _, r := range rates {
		l.forget = max(l.forget, r.per)
	}
	for i := range l.shards {
		l.shards[i].keys = map[uint64]*buckets{}
	}
	go l.sweepEvery(sweep)
	return l
}

// allow takes one token from each of key's buckets, or says how long until
// every one has one. A full bucket holds its whole rate, so bursts up to it pass.
func (l *limiter) allow(key string) (bool, time.Duration) {
	h := maphash.String(l.seed, key)
	sh := &l.shards[h%uint64(len(l.shards))]
	now := l.now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := sh.keys[h]
	if !ok {
		b = &buckets{last: now}
		for i, r := range l.rates {
			b.tokens[i] = r.n
		}
		sh.keys[h] = b
	}
	elapsed := now.Sub(b.last).Seconds()
	b.last = now
	var wait float64 // seconds
	for i, r := range l.rates {
		perSecond := r.n / r.per.Seconds()
		b.tokens[i] = min(r.n, b.tokens[i]+elapsed*perSecond)
		if b.tokens[i] < 1 {
			wait = max(wait, (1-b.tokens[i])/perSecond)
		}
	}
	if wait > 0 {
		return false, time.Duration(wait * float64(time.Second))
	}
	for i := range l.rates {
		b.tokens[i]--
	}
	return true, 0
}

// sweepEvery forgets keys whose buckets have refilled, so memory follows the
// number of recently active clients.
func (l *limiter) sweepEvery(d time.Duration) {
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

func (l *limiter) sweep() {
	cutoff := l.now().Add(-l.forget)
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for k, b := range sh.keys {
			if b.last.Before(cutoff) {
				delete(sh.keys, k)
			}
		}
		sh.mu.Unlock()
	}
}

// stop ends the sweeping goroutine.
func (l *limiter) stop() { l.once.Do(func() { close(l.quit) }) }
