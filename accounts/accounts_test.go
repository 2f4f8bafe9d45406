package accounts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store/storetest"
)

// newTestClock is the clock a Store and its Lockout share.
func newTestClock() *clocktest.Clock {
	return clocktest.NewAt(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
}

// newTestStore opens an accounts Store on a fresh embedded store with a test
// clock; cfg's zero fields take the defaults (real argon2 parameters included).
func newTestStore(t testing.TB, cfg Config) (*Store, *clocktest.Clock) {
	t.Helper()
	clock := newTestClock()
	cfg.Now = clock.Now
	s, err := New(storetest.New(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, clock
}

const testPassword = "correct-otter-lantern-42"

// addUser adds an enabled account with testPassword.
func addUser(t testing.TB, s *Store, email string, roles ...Role) User {
	t.Helper()
	if len(roles) == 0 {
		roles = []Role{RoleQuality}
	}
	u, err := s.Add(context.Background(), ActorCLI, NewUser{Email: email, Name: "Test Person", Roles: roles, Password: testPassword})
	if err != nil {
		t.Fatalf("add %s: %v", email, err)
	}
	return u
}

func TestNew_RejectsInvalidConfigNamingTheSetting(t *testing.T) {
	st := storetest.New(t)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{IdleTimeout: time.Second}, "idle timeout"},
		{Config{IdleTimeout: time.Hour, AbsoluteTimeout: time.Minute * 30}, "absolute timeout"},
		{Config{PasswordParams: PasswordParams{Memory: 1, Iterations: 1, Parallelism: 1}}, "password parameters"},
		{Config{Lockout: LockoutPolicy{MaxKeys: 1}}, "lockout"},
		{Config{}, "clock"},
	} {
		_, err := New(st, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error naming %q", tc.cfg, err, tc.want)
		}
	}
}

func TestEnsureIndexes_IsIdempotent(t *testing.T) {
	s, _ := newTestStore(t, Config{})
	for range 2 {
		if err := s.EnsureIndexes(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// Issue 32.9: every role says what it is for, so the admin screen, the
// console's help and the README, which all show the descriptions, cannot
// leave one out.
func TestRoles_EachHasADescription(t *testing.T) {
	for _, r := range Roles {
		if r.Description() == "" {
			t.Errorf("role %s has no description", r)
		}
	}
	if got := WallRule(); !strings.Contains(got, "quality or moderator cannot also hold intake, peer or admin") || !strings.Contains(got, "moderator cannot be combined with quality") {
		t.Errorf("wall rule %q", got)
	}
}
