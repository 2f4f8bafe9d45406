package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// openInvitation loads an invitation link of d's service on the phone.
func openInvitation(t *testing.T, ctx context.Context, srv *apitest.Server, d *survey.Definition) string {
	t.Helper()
	code, err := srv.Invitations.Mint(d.Service)
	if err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (int64, error) {
		if _, err := phone.emulate()(ctx, tg); err != nil {
			return 0, err
		}
		r, err := chromedp.NavigateResponse(srv.URL+"/i/"+code)(ctx, tg)
		if err != nil {
			return 0, err
		}
		return r.Status, nil
	})
	if err != nil || status != http.StatusOK {
		t.Fatalf("open the invitation: %d %v", status, err)
	}
	return code
}

// tokenRequests lists the exchange's requests the page has made.
const tokenRequests = `performance.getEntriesByType('resource').map(e => e.name).filter(n => /\/token(-key)?$/.test(n)).length`

// waitFor polls a JavaScript condition for up to ten seconds.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		if eval[bool](t, ctx, cond) {
			return
		}
	}
	t.Fatalf("waited ten seconds for %s", what)
}

// storedVerified releases the ballots and says whether the one response is verified.
func storedVerified(t *testing.T, srv *apitest.Server) bool {
	t.Helper()
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	srv.ReleaseAll(t)
	var r struct {
		Verified bool `bson:"verified"`
	}
	if err := srv.Collection("responses").FindOne(context.Background(), bson.D{}).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Verified
}

// With JavaScript, the invited form exchanges its invitation for a blind
// signature on the first touch (not on load), sends the token and not the
// invitation with the answers, and the response is stored verified.
func TestBlind_InvitedFormSendsATokenInsteadOfTheInvitation(t *testing.T) {
	d := surveys(t)[0]
	srv := apitest.New(t)
	ctx := newTab(t)
	code := openInvitation(t, ctx, srv, d)
	time.Sleep(300 * time.Millisecond)
	if n := eval[int](t, ctx, tokenRequests); n != 0 {
		t.Fatalf("the page made %d exchange requests on load", n)
	}
	answers := answersFor(d)
	tapAnswers(t, ctx, answers)
	waitFor(t, ctx, "the token", `!!document.querySelector('input[name=token]')`)
	if eval[bool](t, ctx, `!!document.querySelector('input[name=invitation]')`) {
		t.Fatal("the form still carries the invitation beside the token")
	}
	if n := eval[int](t, ctx, tokenRequests); n != 2 {
		t.Fatalf("%d exchange requests, want the key and the exchange", n)
	}
	// Opened again in the same tab: the token kept in sessionStorage is reused.
	token := eval[string](t, ctx, `document.querySelector('input[name=token]').value`)
	do(t, ctx, "open the link again", chromedp.Navigate(srv.URL+"/i/"+code))
	tapAnswers(t, ctx, answers)
	waitFor(t, ctx, "the kept token", `!!document.querySelector('input[name=token]')`)
	if again := eval[string](t, ctx, `document.querySelector('input[name=token]').value`); again != token || eval[int](t, ctx, tokenRequests) != 0 {
		t.Fatal("a reload did not reuse the token")
	}
	checkAccessible(t, ctx, "invited survey")
	screenshot(t, ctx, "survey-invited-token", phone)
	submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, survey.English))
	checkThanks(t, ctx)
	if !storedVerified(t, srv) {
		t.Fatal("the answers sent with a token are not verified")
	}
	// The exchange spent the invitation.
	one := make([]byte, 256)
	one[255] = 1
	_, key := srv.Get(t, "/s/"+d.Service+"/token-key")
	var k struct{ ID string }
	if err := json.Unmarshal([]byte(key), &k); err != nil || k.ID == "" {
		t.Fatalf("token key: %v %s", err, key)
	}
	// Answered as a good code is (see TestAttack_TheExchange… in surveypages),
	// but with no signature of the message: the signature of 1 is 1.
	again := `{"invitation":"` + code + `","key":"` + k.ID + `","blinded":"` + base64.RawURLEncoding.EncodeToString(one) + `"}`
	resp, body := srv.PostJSON(t, "/s/"+d.Service+"/token", again)
	var sig struct{ Signature string }
	if err := json.Unmarshal([]byte(body), &sig); resp.StatusCode != http.StatusOK || err != nil || sig.Signature == base64.RawURLEncoding.EncodeToString(one) {
		t.Fatalf("the invitation again: %d %s", resp.StatusCode, body)
	}
}

// Opened again in another tab (no token kept) after it was used, the invited
// form says on the first touch, kindly, that the invitation was used and the
// answers will count as open; sent, they are stored open.
func TestBlind_AUsedInvitationSaysSoAndTheAnswersCountAsOpen(t *testing.T) {
	d := surveys(t)[0]
	srv := apitest.New(t)
	ctx := newTab(t)
	code := openInvitation(t, ctx, srv, d)
	answers := answersFor(d)
	tapAnswers(t, ctx, answers)
	waitFor(t, ctx, "the token", `!!document.querySelector('input[name=token]')`)
	if eval[bool](t, ctx, `!!document.querySelector('#invite-spent p')`) {
		t.Fatal("a good invitation says it was used")
	}
	other := newTab(t)
	status, err := chromedp.Run(other, func(ctx context.Context, tg *chromedp.Target) (int64, error) {
		if _, err := phone.emulate()(ctx, tg); err != nil {
			return 0, err
		}
		r, err := chromedp.NavigateResponse(srv.URL+"/i/"+code)(ctx, tg)
		if err != nil {
			return 0, err
		}
		return r.Status, nil
	})
	if err != nil || status != http.StatusOK {
		t.Fatalf("open the used invitation: %d %v", status, err)
	}
	tapAnswers(t, other, answers)
	waitFor(t, other, "the notice", `!!document.querySelector('#invite-spent p')`)
	said := eval[string](t, other, `document.querySelector('#invite-spent').textContent`)
	if said != "This invitation has already been used. You can still send your answers: they will count as an open answer, not linked to an invitation, and still without anything that identifies you." {
		t.Fatalf("the notice says %q", said)
	}
	checkAccessible(t, other, "used invitation")
	screenshot(t, other, "survey-invited-used", phone)
	submit(t, other, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, survey.English))
	if storedVerified(t, srv) {
		t.Fatal("the answers sent from a used invitation are verified")
	}
}

// Without JavaScript the invited form sends the invitation with the answers,
// as before, and the response is stored verified.
func TestBlind_WithoutJavaScriptTheInvitationStillVerifies(t *testing.T) {
	d := surveys(t)[0]
	srv := apitest.New(t)
	ctx := newTab(t)
	do(t, ctx, "turn off JavaScript", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	openInvitation(t, ctx, srv, d)
	answers := answersFor(d)
	tapAnswers(t, ctx, answers)
	if n := eval[int](t, ctx, tokenRequests); n != 0 || !eval[bool](t, ctx, `!!document.querySelector('input[name=invitation]')`) {
		t.Fatalf("without JavaScript: %d exchange requests, or the invitation is gone", n)
	}
	submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, survey.English))
	checkThanks(t, ctx)
	if !storedVerified(t, srv) {
		t.Fatal("the answers sent with the invitation are not verified")
	}
}

// Sent before any touch (answers set without an event, then submitted), the
// form waits for the exchange and sends the token.
func TestBlind_SentAtOnceTheFormWaitsForTheExchange(t *testing.T) {
	d := surveys(t)[0]
	srv := apitest.New(t)
	ctx := newTab(t)
	openInvitation(t, ctx, srv, d)
	send := chromedp.Evaluate[chromedp.Void](`(() => {
		document.querySelector('input[name=fft]').checked = true;
		document.querySelector('input[name=invitation]').form.requestSubmit();
	})()`)
	submit(t, ctx, send, http.StatusOK, thanksPath(d, survey.English))
	// The exchange was made (its token kept for a reload), so it spent the
	// invitation: a verified answer came with the token.
	if !eval[bool](t, ctx, `Object.keys(sessionStorage).some(k => k.startsWith('invite-'))`) {
		t.Fatal("no exchange was made before sending")
	}
	if !storedVerified(t, srv) {
		t.Fatal("the answers sent at once are not verified")
	}
}

// A key cached just before midnight no longer signs after the first minutes
// of the month: the exchange is refused (409, nothing spent), the script
// leaves the form as it is, and the invitation sent with the answers gives a
// verified response.
func TestBlind_AKeyCachedOverMidnightFallsBackToTheInvitation(t *testing.T) {
	d := surveys(t)[0]
	clock := apitest.NewClock()
	clock.Set(time.Date(2026, 11, 30, 23, 58, 0, 0, time.UTC))
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	ctx := newTab(t)
	openInvitation(t, ctx, srv, d)
	answers := answersFor(d)
	tapAnswers(t, ctx, answers)
	waitFor(t, ctx, "November's token", `!!document.querySelector('input[name=token]')`)
	clock.Set(time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC))
	openInvitation(t, ctx, srv, d)
	// Note each exchange answer's status (a refused fetch leaves no resource timing).
	eval[bool](t, ctx, `const f = window.fetch; window.statuses = [];
		window.fetch = (...a) => f(...a).then(r => { window.statuses.push(r.status); return r; }); true`)
	tapAnswers(t, ctx, answers)
	waitFor(t, ctx, "the refused exchange", `window.statuses.includes(409)`)
	time.Sleep(100 * time.Millisecond)
	if !eval[bool](t, ctx, `!!document.querySelector('input[name=invitation]') && !document.querySelector('input[name=token]')`) {
		t.Fatal("the form lost its invitation after a refused exchange")
	}
	screenshot(t, ctx, "survey-invited-key-refused", phone)
	submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, survey.English))
	checkThanks(t, ctx)
	if !storedVerified(t, srv) {
		t.Fatal("the invitation sent after the refused exchange is not verified")
	}
}
