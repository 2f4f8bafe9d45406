package surveypages_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/invitation"
)

// sendToken sends answers with token on a fresh form.
func sendToken(t *testing.T, srv *apitest.Server, token, comment string) (*http.Response, string) {
	t.Helper()
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	if token != "" {
		form.Set("token", token)
	}
	form.Set("fft_why", comment)
	return srv.PostForm(t, "/s/counselling", form)
}

// spentTokens lists the invitations database's collections of spent tokens
// and their documents.
func spentTokens(t *testing.T, srv *apitest.Server) map[string][]bson.M {
	t.Helper()
	ctx := context.Background()
	db := srv.Store.Database(invitation.Database)
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]bson.M{}
	for _, name := range names {
		if !strings.HasPrefix(name, "tokens_spent") {
			continue
		}
		var docs []bson.M
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil || cur.All(ctx, &docs) != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		out[name] = docs
	}
	return out
}

// A token got in November is accepted in December, once, its mark kept in
// November's collection; one from November sent in January is refused like
// any invalid token: the form comes back with the answers, nothing is
// stored, and sent again without it the answers are stored open.
func TestBlindToken_ATokenLivesThroughTheNextMonthAndNoLonger(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	code, _ := newInvitation(t, srv, "counselling")
	december := blindExchange(t, srv, "counselling", code)
	january := blindExchange(t, srv, "counselling", mustMint(t, srv, "counselling"))
	clock.Set(apitest.OnCalendar(time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC)))
	if resp, _ := sendToken(t, srv, december.token, "november's token in december"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("November's token in December: %d", resp.StatusCode)
	}
	if resp, _ := sendToken(t, srv, december.token, "again"); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "&already=1&m=") {
		t.Fatalf("November's token again: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	marks := spentTokens(t, srv)
	if docs := marks["tokens_spent_"+strings.ReplaceAll(apitest.Month(2026, 11), "-", "_")]; len(marks) != 1 || len(docs) != 1 || len(docs[0]) != 1 {
		t.Fatalf("spent tokens: %v", marks)
	}
	clock.Set(apitest.OnCalendar(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)))
	resp, body := sendToken(t, srv, january.token, "kept answer")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "could not check the proof") ||
		!strings.Contains(body, "kept answer") || strings.Contains(body, `name="token"`) {
		t.Fatalf("November's token in January: %d\n%s", resp.StatusCode, body)
	}
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d responses stored, want December's one", n)
	}
	if resp, _ := sendToken(t, srv, "", "sent again without it"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sent again: %d", resp.StatusCode)
	}
	got := verifiedByComment(t, srv)
	if len(got) != 2 || !got["november's token in december"] || got["sent again without it"] {
		t.Fatalf("verified by answer: %v", got)
	}
}

// A browser that fetched November's key just before midnight and blinds with
// it: signed in the first ten minutes of December, refused after with a 409
// that spends nothing, so the script's fallback (the invitation sent with the
// answers) still gives a verified response.
func TestBlindToken_LastMonthsKeySignsOnlyJustAfterMidnight(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	clock.Set(apitest.OnCalendar(time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC)))
	id, pk := tokenKey(t, srv, "counselling")
	if resp, _ := srv.Get(t, "/s/counselling/token-key"); id != apitest.Month(2026, 11) || resp.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("November's key at 23:59: %q %q", id, resp.Header.Get("Cache-Control"))
	}
	early, late := mustMint(t, srv, "counselling"), mustMint(t, srv, "counselling")
	clock.Set(apitest.OnCalendar(time.Date(2026, 12, 1, 0, 5, 0, 0, time.UTC)))
	if x := blindExchangeWith(t, srv, "counselling", early, id, pk); x.status != http.StatusOK {
		t.Fatalf("November's key at 00:05: %d %s", x.status, x.response)
	}
	clock.Set(apitest.OnCalendar(time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC)))
	x := blindExchangeWith(t, srv, "counselling", late, id, pk)
	if x.status != http.StatusConflict || !strings.Contains(x.response, "does not sign now") {
		t.Fatalf("November's key at 00:30: %d %s", x.status, x.response)
	}
	if now, _ := tokenKey(t, srv, "counselling"); now != apitest.Month(2026, 12) {
		t.Fatalf("the key at 00:30 is %q", now)
	}
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Set("invitation", late)
	form.Set("fft_why", "the invitation after a refused exchange")
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the invitation after the refused exchange: %d", resp.StatusCode)
	}
	if got := verifiedByComment(t, srv); !got["the invitation after a refused exchange"] {
		t.Fatalf("verified by answer: %v", got)
	}
}
