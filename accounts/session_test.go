package accounts

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestCreateSession_GivesARandomIDAndStoresOnlyItsHash(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u := addUser(t, s, "jo@example.nhs.uk")
	sess, err := s.CreateSession(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(sess.ID)
	if err != nil || len(raw) != 32 {
		t.Fatalf("session ID %q: want 32 random bytes, base64url", sess.ID)
	}
	if len(sess.CSRFToken) < 43 || sess.CSRFToken == sess.ID {
		t.Fatalf("CSRF token %q: want its own random value", sess.CSRFToken)
	}
	var doc bson.M
	if err := s.session.FindOne(ctx, bson.D{}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc["_id"] != hashSessionID(sess.ID) {
		t.Fatalf("session _id %v, want the SHA-256 of the ID", doc["_id"])
	}
	for k, v := range doc {
		if s, ok := v.(string); ok && strings.Contains(s, sess.ID) {
			t.Fatalf("session document field %s holds the session ID", k)
		}
	}
}

func TestSignIn_RotatesTheSessionIDEveryTime(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	addUser(t, s, "jo@example.nhs.uk")
	a, _ := s.SignIn(ctx, "jo@example.nhs.uk", testPassword, "c")
	b, _ := s.SignIn(ctx, "jo@example.nhs.uk", testPassword, "c")
	if a.ID == "" || a.ID == b.ID || a.CSRFToken == b.CSRFToken {
		t.Fatal("two sign-ins share a session ID or CSRF token")
	}
}

func TestLookupSession_ReturnsTheAccountsCurrentRoles(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u := addUser(t, s, "jo@example.nhs.uk", RoleQuality)
	sess, _ := s.CreateSession(ctx, u)
	if _, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: u.Email}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "roles", Value: bson.A{"intake"}}}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.LookupSession(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != u.Email || got.Has(RoleQuality) || !got.Has(RoleIntake) || got.CSRFToken != sess.CSRFToken {
		t.Fatalf("looked-up session %+v", got)
	}
	if got.ID != "" {
		t.Fatal("lookup returns the session ID; only CreateSession should")
	}
}

func TestLookupSession_EndsAfterTheIdleTimeout(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams, IdleTimeout: 30 * time.Minute})
	ctx := context.Background()
	sess, _ := s.CreateSession(ctx, addUser(t, s, "jo@example.nhs.uk"))
	clock.Advance(29 * time.Minute)
	if _, err := s.LookupSession(ctx, sess.ID); err != nil {
		t.Fatalf("after 29 idle minutes: %v", err)
	}
	clock.Advance(30 * time.Minute)
	if _, err := s.LookupSession(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after 30 idle minutes: %v, want ErrNoSession", err)
	}
	if n, _ := s.session.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Fatalf("%d sessions kept after expiry, want 0", n)
	}
}

func TestLookupSession_ActivityKeepsItAliveUntilTheAbsoluteTimeout(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams, IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 2 * time.Hour})
	ctx := context.Background()
	sess, _ := s.CreateSession(ctx, addUser(t, s, "jo@example.nhs.uk"))
	for elapsed := 20 * time.Minute; elapsed < 2*time.Hour; elapsed += 20 * time.Minute {
		clock.Advance(20 * time.Minute)
		if _, err := s.LookupSession(ctx, sess.ID); err != nil {
			t.Fatalf("active session after %v: %v", elapsed, err)
		}
	}
	clock.Advance(20 * time.Minute)
	if _, err := s.LookupSession(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("active session after 2 hours: %v, want ErrNoSession", err)
	}
}

func TestLookupSession_RecordsActivityAtMostOnceAMinute(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	sess, _ := s.CreateSession(ctx, addUser(t, s, "jo@example.nhs.uk"))
	clock.Advance(59 * time.Second)
	got, _ := s.LookupSession(ctx, sess.ID)
	if !got.LastSeen.Equal(sess.Created) {
		t.Fatalf("last seen moved to %v within the first minute", got.LastSeen)
	}
	clock.Advance(time.Second)
	got, _ = s.LookupSession(ctx, sess.ID)
	stored, _ := s.findSession(ctx, sess.ID)
	if !got.LastSeen.Equal(clock.Now()) || !stored.LastSeen.Equal(clock.Now()) {
		t.Fatalf("last seen %v (stored %v) after a minute, want %v", got.LastSeen, stored.LastSeen, clock.Now())
	}
}

func TestLookupSession_RefusesUnknownAndMalformedIDs(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	sess, _ := s.CreateSession(ctx, addUser(t, s, "jo@example.nhs.uk"))
	for _, id := range []string{"", "x", sess.ID + "A", randomToken(32), randomToken(16), hashSessionID(sess.ID)} {
		if _, err := s.LookupSession(ctx, id); !errors.Is(err, ErrNoSession) {
			t.Errorf("LookupSession(%q) = %v, want ErrNoSession", id, err)
		}
	}
}

func TestLookupSession_StopsForADisabledAccountEvenIfSessionsRemain(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u := addUser(t, s, "jo@example.nhs.uk")
	sess, _ := s.CreateSession(ctx, u)
	// Disabled behind the package's back, as by another instance mid-way.
	if _, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: u.Email}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "enabled", Value: false}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupSession(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session of a disabled account: %v, want ErrNoSession", err)
	}
}

func TestDeleteSessionsFor_EndsOnlyThatAccountsSessions(t *testing.T) {
	s, _ := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	jo, sam := addUser(t, s, "jo@example.nhs.uk"), addUser(t, s, "sam@example.nhs.uk")
	jo1, _ := s.CreateSession(ctx, jo)
	jo2, _ := s.CreateSession(ctx, jo)
	sam1, _ := s.CreateSession(ctx, sam)
	if err := s.DeleteSessionsFor(ctx, jo.Email); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{jo1.ID, jo2.ID} {
		if _, err := s.LookupSession(ctx, id); !errors.Is(err, ErrNoSession) {
			t.Errorf("jo's session survived: %v", err)
		}
	}
	if _, err := s.LookupSession(ctx, sam1.ID); err != nil {
		t.Errorf("sam's session ended too: %v", err)
	}
}

func TestCreateSession_PurgesExpiredSessions(t *testing.T) {
	s, clock := newTestStore(t, Config{PasswordParams: cheapParams})
	ctx := context.Background()
	u := addUser(t, s, "jo@example.nhs.uk")
	for range 3 {
		_, _ = s.CreateSession(ctx, u)
	}
	kept, _ := s.CreateSession(ctx, u)
	clock.Advance(20 * time.Minute)
	_, _ = s.LookupSession(ctx, kept.ID) // keeps this one alive
	clock.Advance(15 * time.Minute)      // the other three are now idle for 35 minutes
	fresh, _ := s.CreateSession(ctx, u)
	if n, _ := s.session.CountDocuments(ctx, bson.D{}); n != 2 {
		t.Fatalf("%d sessions after purge, want 2 (the active one and the new one)", n)
	}
	for _, id := range []string{kept.ID, fresh.ID} {
		if _, err := s.LookupSession(ctx, id); err != nil {
			t.Errorf("a live session was purged: %v", err)
		}
	}
	clock.Advance(13 * time.Hour)
	if n, err := s.PurgeSessions(ctx); n != 2 || err != nil {
		t.Fatalf("PurgeSessions after 13 hours = %d, %v; want 2", n, err)
	}
}

func TestSession_ValidCSRF(t *testing.T) {
	sess := Session{CSRFToken: "token-abc"}
	if !sess.ValidCSRF("token-abc") || sess.ValidCSRF("token-abd") || sess.ValidCSRF("") {
		t.Fatal("CSRF check accepts a wrong token or refuses the right one")
	}
	if (Session{}).ValidCSRF("") {
		t.Fatal("an empty token matches a session without one")
	}
}
