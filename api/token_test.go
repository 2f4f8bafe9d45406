package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// newToken makes a quality token as `feedback tokens add` does.
func newToken(t *testing.T, srv *apitest.Server) (accounts.Token, string) {
	t.Helper()
	tok, secret, err := srv.Accounts.CreateToken(context.Background(), "board pack script", accounts.RoleQuality, time.Time{}, accounts.ActorCLI)
	if err != nil {
		t.Fatal(err)
	}
	return tok, secret
}

func bearer(secret string) http.Header { return http.Header{"Authorization": {"Bearer " + secret}} }

func TestToken_ReadsTheStatsAPIAndTheCSVExports(t *testing.T) {
	srv := apitest.New(t)
	_, secret := newToken(t, srv)
	b := srv.Browser() // no cookie: the token alone
	resp, body := b.Do(t, http.MethodGet, "/api/v1/stats/counselling", "", nil, bearer(secret))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stats with a token: %d %s", resp.StatusCode, body)
	}
	var stats map[string]any
	if err := json.Unmarshal([]byte(body), &stats); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dashboards/counselling/export.csv", "/dashboards/fft-return.csv", "/dashboards/counselling/comments.csv"} {
		resp, body := b.Do(t, http.MethodGet, path, "", nil, bearer(secret))
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("%s with a token: %d %s %.200s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if b.Cookie("feedback_session") != "" {
		t.Error("a token request was given a session cookie")
	}
}

func TestToken_AttackBadRevokedAndExpiredTokensGet401Problems(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithStaffClock(clock.Now))
	revoked, revokedSecret := newToken(t, srv)
	if err := srv.Accounts.RevokeToken(context.Background(), revoked.ID, accounts.ActorCLI); err != nil {
		t.Fatal(err)
	}
	_, expiringSecret, err := srv.Accounts.CreateToken(context.Background(), "expiring", accounts.RoleQuality, clock.Now().Add(time.Hour), accounts.ActorCLI)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	_, live := newToken(t, srv)
	b := srv.Browser()
	for name, header := range map[string]string{
		"revoked":           "Bearer " + revokedSecret,
		"expired":           "Bearer " + expiringSecret,
		"made up":           "Bearer fbk_" + strings.Repeat("A", 43),
		"one character off": "Bearer " + live[:len(live)-1] + "x",
		"not bearer":        "Basic " + live,
		"empty":             "Bearer ",
	} {
		for _, path := range []string{"/api/v1/stats/counselling", "/dashboards/counselling/export.csv"} {
			resp, body := b.Do(t, http.MethodGet, path, "", nil, http.Header{"Authorization": {header}})
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" ||
				!strings.Contains(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s token on %s: %d %s %s", name, path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		}
	}
}

// A token opens nothing but its GETs: every other staff route, reading or
// writing, refuses a request that carries one, before any session or role check.
func TestToken_AttackCannotPostOrReachAnyOtherStaffRoute(t *testing.T) {
	srv := apitest.New(t)
	_, secret := newToken(t, srv)
	b := srv.Browser()
	form := url.Values{"csrf": {"x"}, "notices": {"yes"}, "email": {"x@example.org"}, "name": {"X"}, "role": {"admin"}}
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/stats/counselling"},
		{http.MethodPost, "/dashboards/notices"},
		{http.MethodPost, "/dashboards/counselling/spc"},
		{http.MethodPost, "/dashboards/counselling/themes"},
		{http.MethodPost, "/admin/users"},
		{http.MethodPost, "/admin/surveys/counselling/rollback"},
		{http.MethodPost, "/intake/contacts/new"},
		{http.MethodPost, "/moderation/comment"},
		{http.MethodPost, "/account/password"},
		{http.MethodPost, "/logout"},
		{http.MethodGet, "/dashboards/"},
		{http.MethodGet, "/dashboards/counselling"},
		{http.MethodGet, "/intake/"},
		{http.MethodGet, "/intake/report"},
		{http.MethodGet, "/intake/people"},
		{http.MethodGet, "/peer/"},
		{http.MethodGet, "/admin/users"},
		{http.MethodGet, "/admin/audit"},
		{http.MethodGet, "/admin/people"},
		{http.MethodGet, "/admin/surveys/counselling"},
		{http.MethodGet, "/moderation/"},
		{http.MethodGet, "/api/staff/session"},
		{http.MethodGet, "/staff"},
	} {
		var body []byte
		ct := ""
		if r.method == http.MethodPost {
			body, ct = []byte(form.Encode()), "application/x-www-form-urlencoded"
		}
		resp, out := b.Do(t, r.method, r.path, ct, body, bearer(secret))
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s %s with a token: %d, want it refused", r.method, r.path, resp.StatusCode)
			continue
		}
		if r.path != "/api/v1/stats/counselling" && (resp.StatusCode != http.StatusUnauthorized || !strings.Contains(out, "An API token opens only")) {
			t.Errorf("%s %s with a token: %d %.200s, want 401 saying what a token opens", r.method, r.path, resp.StatusCode, out)
		}
	}
	if subscribed, err := srv.Dashboards.Subscribed(context.Background(), "token:x"); err != nil || subscribed {
		t.Fatalf("subscribed: %v %v", subscribed, err)
	}
}

func TestToken_UseIsAuditedOnceADayWithoutWhatWasRead(t *testing.T) {
	srv := apitest.New(t)
	tok, secret := newToken(t, srv)
	b := srv.Browser()
	for _, path := range []string{"/api/v1/stats/counselling", "/api/v1/stats/peer-support", "/dashboards/counselling/export.csv"} {
		if resp, _ := b.Do(t, http.MethodGet, path, "", nil, bearer(secret)); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	page, err := srv.Accounts.ReadAudit(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	uses := 0
	for _, e := range page.Entries {
		if e.Action == accounts.ActionTokenUsed {
			uses++
			if e.Target != tok.ID || e.Actor != "token:"+tok.ID {
				t.Errorf("use entry %+v: want only the token's id", e)
			}
		}
		if strings.Contains(e.Target, "counselling") || strings.Contains(e.Target, "stats") {
			t.Errorf("an audit entry names what was read: %+v", e)
		}
	}
	if uses != 1 {
		t.Fatalf("%d use entries after three requests in a day, want 1", uses)
	}
}

// Someone who copied the staff database holds each token's stored document:
// neither it nor the hash in it opens anything.
func TestToken_AttackTheStoredHashIsNotTheTokenAndOpensNothing(t *testing.T) {
	srv := apitest.New(t)
	_, secret := newToken(t, srv)
	raw, err := srv.Store.Database(accounts.Database).Collection("api_tokens").FindOne(context.Background(), bson.D{}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	hash, ok := raw.Lookup("hash").StringValueOK()
	if !ok || hash == secret || strings.Contains(raw.String(), strings.TrimPrefix(secret, "fbk_")) {
		t.Fatalf("the stored document holds the token: %s", raw)
	}
	for _, stolen := range []string{hash, "fbk_" + hash, raw.Lookup("_id").StringValue()} {
		if resp, _ := srv.Browser().Do(t, http.MethodGet, "/api/v1/stats/counselling", "", nil, bearer(stolen)); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the stored value %q opened the stats: %d", stolen, resp.StatusCode)
		}
	}
}
