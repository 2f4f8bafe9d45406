package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestToken_StoredHashIsNotTheTokenAndOnlyTheTokenOpensIt(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	tok, secret, err := s.CreateToken(ctx, "board pack script", RoleQuality, time.Time{}, "lead@example.nhs.uk")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) < len(tokenPrefix)+43 {
		t.Fatalf("token %q: want %s and 256 bits", secret, tokenPrefix)
	}
	raw, err := s.db.Collection(tokensCollection).FindOne(ctx, bson.D{}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw.String(), secret) || strings.Contains(raw.String(), strings.TrimPrefix(secret, tokenPrefix)) {
		t.Fatalf("the stored document holds the token: %s", raw)
	}
	got, err := s.AuthenticateToken(ctx, secret)
	if err != nil || got.ID != tok.ID || got.Role != RoleQuality {
		t.Fatalf("the token does not open itself: %+v %v", got, err)
	}
	for _, wrong := range []string{"", secret[:len(secret)-1], secret + "x", hashToken(secret), tokenPrefix + strings.Repeat("A", 43)} {
		if _, err := s.AuthenticateToken(ctx, wrong); !errors.Is(err, ErrNoToken) {
			t.Errorf("%q: %v, want ErrNoToken", wrong, err)
		}
	}
}

func TestToken_OnlyTheQualityRole(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	for _, r := range []Role{RoleAdmin, RoleIntake, RolePeer, RoleModerator, "root"} {
		if _, _, err := s.CreateToken(context.Background(), "x", r, time.Time{}, ActorCLI); !errors.Is(err, ErrTokenRole) {
			t.Errorf("%s: %v, want ErrTokenRole", r, err)
		}
	}
}

func TestToken_RevokedAndExpiredTokensOpenNothing(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	a, secretA, _ := s.CreateToken(ctx, "revoked", RoleQuality, time.Time{}, ActorCLI)
	_, secretB, err := s.CreateToken(ctx, "expires", RoleQuality, clock.Now().Add(48*time.Hour), ActorCLI)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, a.ID, ActorCLI); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateToken(ctx, secretA); !errors.Is(err, ErrNoToken) {
		t.Fatalf("a revoked token: %v", err)
	}
	if _, err := s.AuthenticateToken(ctx, secretB); err != nil {
		t.Fatalf("a token before its expiry: %v", err)
	}
	clock.Advance(49 * time.Hour)
	if _, err := s.AuthenticateToken(ctx, secretB); !errors.Is(err, ErrNoToken) {
		t.Fatalf("an expired token: %v", err)
	}
	if err := s.RevokeToken(ctx, "nope", ActorCLI); !errors.Is(err, ErrNoSuchToken) {
		t.Fatalf("revoking an unknown id: %v", err)
	}
	list, _ := s.Tokens(ctx)
	if len(list) != 2 || list[0].Revoked.IsZero() || list[0].Live(clock.Now()) || list[1].Live(clock.Now()) {
		t.Fatalf("list: %+v", list)
	}
}

func TestToken_UseIsAuditedOncePerDay(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	tok, secret, _ := s.CreateToken(ctx, "script", RoleQuality, time.Time{}, "lead@example.nhs.uk")
	uses := func() int {
		page, err := s.ReadAudit(ctx, "", MaxAuditPageSize)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range page.Entries {
			if e.Action == ActionTokenUsed && e.Target == tok.ID && e.Actor == tok.Actor() {
				n++
			}
		}
		return n
	}
	for range 3 {
		if _, err := s.AuthenticateToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if n := uses(); n != 1 {
		t.Fatalf("%d use entries after three uses in a day, want 1", n)
	}
	clock.Advance(24 * time.Hour)
	if _, err := s.AuthenticateToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if n := uses(); n != 2 {
		t.Fatalf("%d use entries after a use the next day, want 2", n)
	}
}

// BenchmarkAuthenticateToken is one request's token check on the embedded
// store with 20 tokens (more than an install is expected to hold), after the
// day's first use was audited.
func BenchmarkAuthenticateToken(b *testing.B) {
	s, _ := newTestStore(b, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	var secret string
	for range 20 {
		_, sec, err := s.CreateToken(ctx, "script", RoleQuality, time.Time{}, ActorCLI)
		if err != nil {
			b.Fatal(err)
		}
		secret = sec
	}
	if _, err := s.AuthenticateToken(ctx, secret); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.AuthenticateToken(ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupSession is a cookie session's check, for comparison: one
// session document and one account read.
func BenchmarkLookupSession(b *testing.B) {
	s, _ := newTestStore(b, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	sess, err := s.CreateSession(ctx, addUser(b, s, "lead@example.nhs.uk"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.LookupSession(ctx, sess.ID); err != nil {
			b.Fatal(err)
		}
	}
}
