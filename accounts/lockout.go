package accounts

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"time"
)

// LockoutLimit is how failed sign-ins are slowed, then locked, for one key (an
// account or a client).
type LockoutLimit struct {
	// Failures within Window that lock the key for LockFor.
	Failures int
	Window   time.Duration
	LockFor  time.Duration
	// Delay slows guessing before the lock: after the first two failures, each
	// further one makes the next attempt wait Delay, 2×Delay, 4×Delay, … Zero: no delay.
	Delay time.Duration
}

// LockoutPolicy limits failed sign-ins per account and per client.
type LockoutPolicy struct {
	Account LockoutLimit
	Client  LockoutLimit
	// MaxKeys bounds each in-memory table; when one is full the entry closest
	// to expiry is dropped.
	MaxKeys int
}

// freeFailures are the typos allowed before Delay starts.
const freeFailures = 2

// DefaultLockoutPolicy: an account is locked for 15 minutes after 5 failures
// within 15 minutes (the 3rd and 4th wait 1 s and 2 s); a client, which may be
// many staff behind one NAT, after 20 failures within 15 minutes.
func DefaultLockoutPolicy() LockoutPolicy {
	return LockoutPolicy{
		Account: LockoutLimit{Failures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute, Delay: time.Second},
		Client:  LockoutLimit{Failures: 20, Window: 15 * time.Minute, LockFor: 15 * time.Minute},
		MaxKeys: 10_000,
	}
}

func (p LockoutPolicy) validate() error {
	for name, l := range map[string]LockoutLimit{"account": p.Account, "client": p.Client} {
		if l.Failures < 1 || l.Window <= 0 || l.LockFor <= 0 || l.Delay < 0 {
			return fmt.Errorf("lockout %s limit %+v: failures, window and lock time must be positive", name, l)
		}
	}
	if p.MaxKeys < 1 {
		return fmt.Errorf("lockout max keys %d: must be positive", p.MaxKeys)
	}
	return nil
}

// Lockout counts failed sign-ins per account and per client key, in memory
// only: nothing about clients (IP addresses or anything derived from them) is
// ever stored persistently, and even in memory keys are kept as SHA-256 digests.
// Each instance of the service counts on its own. It is safe for concurrent use.
type Lockout struct {
	now     func() time.Time
	mu      sync.Mutex
	account table
	client  table
}

type lockoutKeyDigest [sha256.Size]byte

type table struct {
	limit     LockoutLimit
	max       int
	entries   map[lockoutKeyDigest]*attempts
	lastSweep time.Time
}

// attempts are the recent failures for one key.
type attempts struct {
	windowStart time.Time
	last        time.Time
	failures    int
	lockedUntil time.Time
}

// NewLockout returns an empty Lockout with the given policy and clock.
func NewLockout(p LockoutPolicy, now func() time.Time) *Lockout {
	if now == nil {
		panic("accounts.NewLockout: no clock")
	}
	return &Lockout{
		now:     now,
		account: table{limit: p.Account, max: p.MaxKeys, entries: map[lockoutKeyDigest]*attempts{}},
		client:  table{limit: p.Client, max: p.MaxKeys, entries: map[lockoutKeyDigest]*attempts{}},
	}
}

// Check says whether a sign-in for account from client may be tried now, and
// if not, how long to wait. Accounts are compared as e-mails are (case and
// surrounding spaces ignored), known or not. An empty key is not checked.
func (l *Lockout) Check(account, client string) (allowed bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	wait := max(l.account.wait(lockoutKey(account), now), l.client.wait(client, now))
	return wait == 0, wait
}

// Fail records a failed sign-in and reports whether it locked the account or
// the client.
func (l *Lockout) Fail(account, client string) (accountLocked, clientLocked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return l.account.fail(lockoutKey(account), now), l.client.fail(client, now)
}

// Succeed clears the account's failures. The client's are kept until they
// expire, so a client cannot reset its count by signing in to an account of
// its own between guesses at others.
func (l *Lockout) Succeed(account, client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if account != "" {
		delete(l.account.entries, digest(lockoutKey(account)))
	}
}

func digest(key string) lockoutKeyDigest { return sha256.Sum256([]byte(key)) }

func (t *table) wait(key string, now time.Time) time.Duration {
	if key == "" {
		return 0
	}
	a := t.entries[digest(key)]
	if a == nil {
		return 0
	}
	until := a.lockedUntil
	if a.failures > freeFailures && t.limit.Delay > 0 {
		until = later(until, a.last.Add(t.delay(a.failures)))
	}
	if until.After(now) {
		return until.Sub(now)
	}
	return 0
}

// delay is the wait after the n-th failure, doubling from Delay, never more than LockFor.
func (t *table) delay(n int) time.Duration {
	d := t.limit.Delay << min(n-freeFailures-1, 20)
	return min(d, t.limit.LockFor)
}

func (t *table) fail(key string, now time.Time) (locked bool) {
	if key == "" {
		return false
	}
	k := digest(key)
	a := t.entries[k]
	if a == nil {
		t.makeRoom(now)
		a = &attempts{}
		t.entries[k] = a
	}
	if a.failures == 0 || now.Sub(a.windowStart) >= t.limit.Window {
		a.windowStart, a.failures = now, 0
	}
	a.failures++
	a.last = now
	if a.failures >= t.limit.Failures {
		// Locked: the count starts afresh once the lock ends.
		a.lockedUntil = now.Add(t.limit.LockFor)
		a.failures = 0
		return true
	}
	return false
}

// expires is when an entry no longer affects anything and may be dropped.
func (t *table) expires(a *attempts) time.Time {
	e := later(a.lockedUntil, a.windowStart.Add(t.limit.Window))
	if a.failures > freeFailures && t.limit.Delay > 0 {
		e = later(e, a.last.Add(t.delay(a.failures)))
	}
	return e
}

// makeRoom drops expired entries (at most once a minute, or when full) and,
// if the table is still full, the entry closest to expiry.
func (t *table) makeRoom(now time.Time) {
	if len(t.entries) < t.max && now.Sub(t.lastSweep) < time.Minute {
		return
	}
	t.lastSweep = now
	var soonest lockoutKeyDigest
	var soonestAt time.Time
	for k, a := range t.entries {
		e := t.expires(a)
		if !e.After(now) {
			delete(t.entries, k)
			continue
		}
		if soonestAt.IsZero() || e.Before(soonestAt) {
			soonest, soonestAt = k, e
		}
	}
	if len(t.entries) >= t.max {
		delete(t.entries, soonest)
	}
}

func (l *Lockout) size() (accounts, clients int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.account.entries), len(l.client.entries)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
