package surveypages_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
)

var invitationInForm = regexp.MustCompile(`name="invitation" value="([^"]+)"`)

// A survey text's invitation opens the form as often as the link is opened (a
// link preview, a reload) and is spent when the answers are stored, which are
// then verified, with nothing that joins them to the invitation. A second
// answer through the same invitation is stored as open; an expired or broken
// invitation gets a kind page that still offers the open survey, and stores
// nothing.
func TestInvitation_SpentOnceWhenTheAnswersAreStored(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	code, err := srv.Invitations.Mint("counselling")
	if err != nil {
		t.Fatal(err)
	}
	open := func() string {
		t.Helper()
		resp, body := srv.Get(t, "/i/"+code)
		n, inv := apitest.NonceInForm.FindStringSubmatch(body), invitationInForm.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || n == nil || inv == nil || inv[1] != code || len(resp.Cookies()) != 0 ||
			resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, `action="/s/counselling?lang=en"`) {
			t.Fatalf("invited form: %d %v %v cookies %v\n%s", resp.StatusCode, n, inv, resp.Cookies(), body)
		}
		return n[1]
	}
	open() // a link preview: spends nothing
	nonce := open()
	form := apitest.ValidForm(nonce)
	form.Set("invitation", code)
	form.Set("fft_why", "through my invitation")
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	// The same invitation again: the form opens, the answers are kept, as open.
	again := apitest.ValidForm(open())
	again.Set("invitation", code)
	again.Set("fft_why", "second time")
	if resp, _ := srv.PostForm(t, "/s/counselling", again); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second answer: %d", resp.StatusCode)
	}

	broken := []string{code[:len(code)-1], code + "A", "x"}
	altered := []byte(code)
	altered[5] ^= 1
	broken = append(broken, string(altered))
	for _, b := range broken {
		resp, body := srv.Get(t, "/i/"+url.PathEscape(b))
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "not complete") || !strings.Contains(body, `href="/s/peer-support?lang=en"`) {
			t.Fatalf("broken invitation %q: %d\n%s", b, resp.StatusCode, body)
		}
	}
	late, _ := srv.Invitations.Mint("peer-support")
	clock.Advance(15 * 24 * time.Hour)
	if resp, body := srv.Get(t, "/i/"+late); resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired") || !strings.Contains(body, `href="/s/peer-support?lang=en"`) {
		t.Fatalf("expired invitation: %d\n%s", resp.StatusCode, body)
	}
	if n := srv.Count(t, "responses"); n != 2 {
		t.Fatalf("%d stored, want the two answers", n)
	}
	if got := srv.Logs.String(); strings.Contains(got, "/i/") || strings.Contains(got, code) {
		t.Fatalf("an invitation was logged:\n%s", got)
	}
	srv.ReleaseAll(t)
	verified := map[string]bool{}
	cur, err := srv.Collection("responses").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for cur.Next(context.Background()) {
		var r struct {
			Verified bool   `bson:"verified"`
			Answers  bson.M `bson:"answers"`
		}
		if err := cur.Decode(&r); err != nil {
			t.Fatal(err)
		}
		verified[r.Answers["fft_why"].(string)] = r.Verified
	}
	if !verified["through my invitation"] || verified["second time"] || len(verified) != 2 {
		t.Fatalf("verified by answer: %v", verified)
	}
}

// A form whose invitation was tampered with is stored, as open.
func TestInvitation_AnAlteredInvitationInTheFormLeavesTheAnswerOpen(t *testing.T) {
	srv := apitest.New(t)
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Set("invitation", "not-an-invitation-at-all")
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	srv.ReleaseAll(t)
	var r struct {
		Verified bool `bson:"verified"`
	}
	if err := srv.Collection("responses").FindOne(context.Background(), bson.D{}).Decode(&r); err != nil || r.Verified {
		t.Fatalf("an altered invitation made a verified answer: %+v %v", r, err)
	}
}
