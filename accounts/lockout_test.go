package accounts

import (
	"fmt"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
)

func newTestLockout() (*Lockout, *clocktest.Clock) {
	clock := newTestClock()
	return NewLockout(DefaultLockoutPolicy(), clock.Now), clock
}

func TestLockout_LocksAnAccountAfterFiveFailuresForFifteenMinutes(t *testing.T) {
	l, clock := newTestLockout()
	for i := 1; i <= 5; i++ {
		if ok, wait := l.Check("jo@example.nhs.uk", ""); !ok {
			t.Fatalf("attempt %d refused (wait %v) before the lock", i, wait)
		}
		accountLocked, _ := l.Fail("jo@example.nhs.uk", "")
		if accountLocked != (i == 5) {
			t.Fatalf("failure %d: locked = %v", i, accountLocked)
		}
		clock.Advance(5 * time.Second)
	}
	ok, wait := l.Check("JO@example.nhs.uk", "") // case is not a way round it
	if ok || wait != 15*time.Minute-5*time.Second {
		t.Fatalf("after 5 failures: allowed %v, wait %v; want locked for the rest of 15 minutes", ok, wait)
	}
	if ok, _ := l.Check("sam@example.nhs.uk", ""); !ok {
		t.Fatal("another account is locked too")
	}
	clock.Advance(wait)
	if ok, _ := l.Check("jo@example.nhs.uk", ""); !ok {
		t.Fatal("still locked after 15 minutes")
	}
	if locked, _ := l.Fail("jo@example.nhs.uk", ""); locked {
		t.Fatal("the first failure after a lock locks again: the count should start afresh")
	}
}

func TestLockout_SlowsAttemptsBeforeLocking(t *testing.T) {
	l, clock := newTestLockout()
	want := []time.Duration{0, 0, time.Second, 2 * time.Second}
	for i, w := range want {
		l.Fail("jo@example.nhs.uk", "")
		if _, wait := l.Check("jo@example.nhs.uk", ""); wait != w {
			t.Fatalf("after failure %d: wait %v, want %v", i+1, wait, w)
		}
		clock.Advance(w)
	}
}

func TestLockout_FailuresOutsideTheWindowDoNotAddUp(t *testing.T) {
	l, clock := newTestLockout()
	for range 4 {
		l.Fail("jo@example.nhs.uk", "")
		clock.Advance(4 * time.Minute)
	}
	clock.Advance(time.Minute) // the first failure is now 16 minutes old
	if locked, _ := l.Fail("jo@example.nhs.uk", ""); locked {
		t.Fatal("failures spread over more than 15 minutes locked the account")
	}
}

func TestLockout_LocksAClientAfterTwentyFailuresAcrossAccounts(t *testing.T) {
	l, clock := newTestLockout()
	for i := 1; i <= 20; i++ {
		_, clientLocked := l.Fail(fmt.Sprintf("guess%d@example.nhs.uk", i), "203.0.113.9")
		if clientLocked != (i == 20) {
			t.Fatalf("failure %d: client locked = %v", i, clientLocked)
		}
	}
	if ok, wait := l.Check("fresh@example.nhs.uk", "203.0.113.9"); ok || wait != 15*time.Minute {
		t.Fatalf("locked client on a fresh account: allowed %v, wait %v", ok, wait)
	}
	if ok, _ := l.Check("fresh@example.nhs.uk", "198.51.100.7"); !ok {
		t.Fatal("another client is locked too")
	}
	clock.Advance(15 * time.Minute)
	if ok, _ := l.Check("fresh@example.nhs.uk", "203.0.113.9"); !ok {
		t.Fatal("client still locked after 15 minutes")
	}
}

func TestLockout_SuccessClearsTheAccountButNotTheClient(t *testing.T) {
	l, _ := newTestLockout()
	for range 4 {
		l.Fail("jo@example.nhs.uk", "client")
	}
	for i := range 15 {
		l.Fail(fmt.Sprintf("other%d@example.nhs.uk", i), "client")
	}
	l.Succeed("jo@example.nhs.uk", "client")
	if ok, wait := l.Check("jo@example.nhs.uk", ""); !ok {
		t.Fatalf("account still slowed (%v) after a successful sign-in", wait)
	}
	if _, clientLocked := l.Fail("x@example.nhs.uk", "client"); !clientLocked {
		t.Fatal("a success reset the client's count: its 20th failure did not lock it")
	}
}

func TestLockout_KeepsABoundedNumberOfKeys(t *testing.T) {
	clock := newTestClock()
	p := DefaultLockoutPolicy()
	p.MaxKeys = 100
	l := NewLockout(p, clock.Now)
	for i := range 1000 {
		l.Fail(fmt.Sprintf("a%d@example.nhs.uk", i), fmt.Sprintf("client-%d", i))
		clock.Advance(time.Second)
	}
	if a, c := l.size(); a > 100 || c > 100 {
		t.Fatalf("%d accounts and %d clients tracked, want at most 100 each", a, c)
	}
	clock.Advance(16 * time.Minute)
	l.Fail("last@example.nhs.uk", "last-client")
	if a, c := l.size(); a != 1 || c != 1 {
		t.Fatalf("%d accounts and %d clients kept after all expired, want 1 each", a, c)
	}
}
