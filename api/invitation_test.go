package api_test

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

var nonceInForm = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// A survey text's invitation is exchanged once for a form marked verified;
// the response is stored as verified, with nothing that joins it to the
// invitation; a used, expired or broken invitation gets a kind page that still
// offers the open survey, and stores nothing.
func TestInvitation_ExchangedOnceForAVerifiedForm(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	code, err := srv.Invitations.Mint("counselling")
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := srv.Get(t, "/i/"+code)
	where := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(where, "/s/counselling?f=") || len(resp.Cookies()) != 0 {
		t.Fatalf("exchange: %d %q cookies %v", resp.StatusCode, where, resp.Cookies())
	}
	// The form, and the same form again on a reload.
	for range 2 {
		resp, body := srv.Get(t, where)
		m := nonceInForm.FindStringSubmatch(body)
		u, _ := url.Parse(where)
		if resp.StatusCode != http.StatusOK || m == nil || m[1] != u.Query().Get("f") {
			t.Fatalf("verified form: %d nonce %v", resp.StatusCode, m)
		}
	}
	u, _ := url.Parse(where)
	if resp, _ := srv.PostForm(t, "/s/counselling", validForm(u.Query().Get("f"))); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}

	// Spent: a kind page, the open survey offered, nothing stored.
	resp, body := srv.Get(t, "/i/"+code)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") || !strings.Contains(body, `href="/s/counselling"`) {
		t.Fatalf("spent invitation: %d\n%s", resp.StatusCode, body)
	}
	broken := []string{code[:len(code)-1], code + "A", strings.ToUpper(code[:3]) + code[3:], "x"}
	altered := []byte(code)
	altered[5] ^= 1
	broken = append(broken, string(altered))
	for _, b := range broken {
		if b == code {
			continue
		}
		resp, body := srv.Get(t, "/i/"+url.PathEscape(b))
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "not complete") || !strings.Contains(body, `href="/s/peer-support"`) {
			t.Fatalf("broken invitation %q: %d\n%s", b, resp.StatusCode, body)
		}
	}
	late, _ := srv.Invitations.Mint("peer-support")
	clock.Advance(15 * 24 * time.Hour)
	if resp, body := srv.Get(t, "/i/"+late); resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Fatalf("expired invitation: %d\n%s", resp.StatusCode, body)
	}
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d stored, want the one answer", n)
	}
	if got := srv.Logs.String(); strings.Contains(got, "/i/") || strings.Contains(got, code) {
		t.Fatalf("an invitation was logged:\n%s", got)
	}
	srv.ReleaseAll(t)
	var r struct {
		Verified bool `bson:"verified"`
	}
	if err := srv.Collection("responses").FindOne(context.Background(), bson.D{}).Decode(&r); err != nil || !r.Verified {
		t.Fatalf("the invited answer is not stored as verified: %+v %v", r, err)
	}
}

// An open form's nonce put in the verified form's place is not taken for one.
func TestInvitation_AnOpenNonceInTheAddressGivesAnOpenForm(t *testing.T) {
	srv := apitest.New(t)
	open := srv.FormNonce(t, "counselling")
	_, body := srv.Get(t, "/s/counselling?f="+url.QueryEscape(open))
	if m := nonceInForm.FindStringSubmatch(body); m == nil || m[1] == open {
		t.Fatalf("an open nonce was served as the form's: %v", m)
	}
}
