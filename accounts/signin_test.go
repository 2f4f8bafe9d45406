package accounts

import (
	"context"
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestAuthenticate(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk")
	addUser(t, s, "gone@example.nhs.uk", RoleIntake)
	if err := s.SetEnabled(ctx, ActorCLI, "gone@example.nhs.uk", false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, email, password string
		wantErr               error
	}{
		{"right password", "jo@example.nhs.uk", testPassword, nil},
		{"e-mail in another case", "  JO@Example.NHS.uk", testPassword, nil},
		{"wrong password", "jo@example.nhs.uk", "correct-otter-lantern-43", ErrInvalidCredentials},
		{"empty password", "jo@example.nhs.uk", "", ErrInvalidCredentials},
		{"unknown e-mail", "nobody@example.nhs.uk", testPassword, ErrInvalidCredentials},
		{"not an e-mail", "jo", testPassword, ErrInvalidCredentials},
		{"disabled account, right password", "gone@example.nhs.uk", testPassword, ErrInvalidCredentials},
	} {
		u, err := s.Authenticate(ctx, tc.email, tc.password)
		if !errors.Is(err, tc.wantErr) || (err != nil && err != ErrInvalidCredentials) {
			t.Errorf("%s: Authenticate = %v, want %v (the one generic error)", tc.name, err, tc.wantErr)
		}
		if err == nil && u.Email != "jo@example.nhs.uk" {
			t.Errorf("%s: signed in as %q", tc.name, u.Email)
		}
	}
}

func TestAuthenticate_UnknownEmailTakesAsLongAsAWrongPassword(t *testing.T) {
	s, _ := newTestStore(t, Config{}) // real parameters: the hash must dominate
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk")
	// The work a sign-in costs, as this process's CPU time: a machine busy with
	// other processes stretches the wall clock (CI failed a wall-clock version at
	// 94 vs 157 ms while other packages ran) but not the CPU time spent here.
	// The median of interleaved calls, since a read of it can also miss what a
	// thread still running on another core has not yet been charged.
	cost := func(email string) time.Duration {
		before := cpuTime(t)
		_, _ = s.Authenticate(ctx, email, "not-the-password")
		return cpuTime(t) - before
	}
	_ = cost("nobody@example.nhs.uk") // the first call makes the dummy hash
	// Without the dummy hash an unknown e-mail costs a lookup, a hundredth of a
	// wrong password, in every round; noise can spoil one round, not three.
	var known, unknown time.Duration
	for range 3 {
		var knownCosts, unknownCosts []time.Duration
		for range 7 {
			knownCosts = append(knownCosts, cost("jo@example.nhs.uk"))
			unknownCosts = append(unknownCosts, cost("nobody@example.nhs.uk"))
		}
		known, unknown = median(knownCosts), median(unknownCosts)
		if unknown >= known*6/10 {
			return
		}
	}
	t.Fatalf("unknown e-mail %v vs wrong password %v of CPU: timing tells accounts apart", unknown, known)
}

// median is the middle of d, which it sorts.
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestAuthenticate_UpgradesAHashMadeWithLowerParameters(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: PasswordParams{Memory: 256, Iterations: 2, Parallelism: 1}})
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk")
	old, _ := HashPassword(testPassword, PasswordParams{Memory: 64, Iterations: 1, Parallelism: 1})
	if _, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: "jo@example.nhs.uk"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "password", Value: old}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "jo@example.nhs.uk", testPassword); err != nil {
		t.Fatal(err)
	}
	d, _ := s.getDoc(ctx, "jo@example.nhs.uk")
	if d.PasswordHash == old || NeedsRehash(d.PasswordHash, s.cfg.PasswordParams) {
		t.Fatalf("hash after sign-in %q: want one made with m=256,t=2,p=1", d.PasswordHash)
	}
	if _, err := s.Authenticate(ctx, "jo@example.nhs.uk", testPassword); err != nil {
		t.Fatalf("sign-in with the upgraded hash: %v", err)
	}
}

func TestSignIn_StartsASessionAndAuditsIt(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk", RoleQuality)
	sess, err := s.SignIn(ctx, "Jo@example.nhs.uk", testPassword, "client-1")
	if err != nil {
		t.Fatal(err)
	}
	if sess.ID == "" || sess.Email != "jo@example.nhs.uk" || !sess.Has(RoleQuality) || sess.Has(RoleAdmin) {
		t.Fatalf("session %+v", sess)
	}
	if got := auditActions(t, s); !slices.Equal(got, []Action{ActionSignIn, ActionUserAdded}) {
		t.Fatalf("audit log %v, want sign-in after user added", got)
	}
}

func TestSignIn_WrongPasswordIsGenericAndAudited(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk")
	_, err := s.SignIn(ctx, "jo@example.nhs.uk", "wrong-password-here", "client-1")
	if err != ErrInvalidCredentials {
		t.Fatalf("SignIn(wrong) = %v, want ErrInvalidCredentials", err)
	}
	_, err = s.SignIn(ctx, "nobody@example.nhs.uk", "wrong-password-here", "client-1")
	if err != ErrInvalidCredentials {
		t.Fatalf("SignIn(unknown) = %v, want ErrInvalidCredentials", err)
	}
	page, _ := s.ReadAudit(ctx, "", 0)
	got := page.Entries[:2]
	if got[0].Target != "nobody@example.nhs.uk" || got[0].Reason != reasonUnknownAccount ||
		got[1].Target != "jo@example.nhs.uk" || got[1].Reason != reasonWrongPassword ||
		got[0].Action != ActionSignInFailed || got[0].Actor != ActorSystem {
		t.Fatalf("audit entries %+v", got)
	}
}

func TestSignIn_LocksTheAccountAfterFiveFailuresThenLetsGo(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk")
	for i := range 5 {
		if _, err := s.SignIn(ctx, "jo@example.nhs.uk", "wrong-password-here", "client-1"); err != ErrInvalidCredentials {
			t.Fatalf("failure %d: %v", i+1, err)
		}
		clock.Advance(5 * time.Second) // past the growing delay
	}
	_, err := s.SignIn(ctx, "jo@example.nhs.uk", testPassword, "client-2")
	var locked *LockedError
	if !errors.As(err, &locked) || locked.RetryAfter <= 14*time.Minute {
		t.Fatalf("right password while locked: %v, want a LockedError of about 15 minutes", err)
	}
	clock.Advance(15 * time.Minute)
	if _, err := s.SignIn(ctx, "jo@example.nhs.uk", testPassword, "client-2"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	page, _ := s.ReadAudit(ctx, "", 0)
	var lockNoted bool
	for _, e := range page.Entries {
		lockNoted = lockNoted || e.Reason == reasonWrongPassword+"; "+reasonAccountLocked
	}
	if !lockNoted {
		t.Fatal("the failure that locked the account is not marked in the audit log")
	}
}

func TestSignOut_EndsTheSessionAndAuditsIt(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk")
	sess, err := s.SignIn(ctx, "jo@example.nhs.uk", testPassword, "client-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignOut(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupSession(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after sign-out: %v, want ErrNoSession", err)
	}
	if err := s.SignOut(ctx, sess.ID); err != nil {
		t.Fatalf("signing out twice: %v", err)
	}
	if got := auditActions(t, s); got[0] != ActionSignOut || len(got) != 3 {
		t.Fatalf("audit log %v, want one sign-out on top", got)
	}
}

// auditActions lists the actions in the audit log, newest first.
func auditActions(t *testing.T, s *Store) []Action {
	t.Helper()
	page, err := s.ReadAudit(context.Background(), "", MaxAuditPageSize)
	if err != nil {
		t.Fatal(err)
	}
	var got []Action
	for _, e := range page.Entries {
		got = append(got, e.Action)
	}
	return got
}

// A one-time password (first run, an admin's reset, users add --generate)
// signs in for DefaultOneTimeLifetime only; a chosen password never expires.
func TestSignIn_AOneTimePasswordExpiresAfterADay(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	otp := GeneratePassword()
	if _, err := s.Add(ctx, ActorSystem, NewUser{Email: "jo@example.nhs.uk", Name: "Jo", Roles: []Role{RoleQuality}, Password: otp, Generated: true}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultOneTimeLifetime - time.Minute)
	if _, err := s.Authenticate(ctx, "jo@example.nhs.uk", otp); err != nil {
		t.Fatalf("within its day: %v", err)
	}
	clock.Advance(2 * time.Minute)
	if _, err := s.SignIn(ctx, "jo@example.nhs.uk", otp, "client-1"); !errors.Is(err, ErrOneTimeExpired) {
		t.Fatalf("after its day: %v, want ErrOneTimeExpired", err)
	}
	// An admin's reset gives a fresh day; the person's own password has none.
	fresh := GeneratePassword()
	if err := s.SetPassword(ctx, ActorSystem, "jo@example.nhs.uk", fresh, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "jo@example.nhs.uk", fresh); err != nil {
		t.Fatalf("a reset one-time password: %v", err)
	}
	if err := s.ChangePassword(ctx, "jo@example.nhs.uk", fresh, "Violet-Harbour-Kettle-7"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * 24 * time.Hour)
	if _, err := s.Authenticate(ctx, "jo@example.nhs.uk", "Violet-Harbour-Kettle-7"); err != nil {
		t.Fatalf("a chosen password a month on: %v", err)
	}
}
