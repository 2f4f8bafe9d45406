package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// A call handler at a desktop signs in with the keyboard alone, mistypes the
// password first, follows the error summary back to the field, and signs out.
func TestLogin_WithTheKeyboardAloneThenSignOut(t *testing.T) {
	srv := apitest.New(t)
	const email = "handler@example.nhs.uk"
	srv.AddStaff(t, email, accounts.RoleIntake)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	do(t, ctx, "open the sign-in form", chromedp.Navigate(srv.URL+"/login"))
	k := keyboard{t, ctx}

	k.press(kb.Tab)
	k.expectFocus("a.skip")
	k.press(kb.Tab)
	k.expectFocus("#email")
	k.press(email)
	k.press(kb.Tab)
	k.expectFocus("#password")
	k.press("not-the-password")
	submit(t, ctx, typeKeys(kb.Enter), http.StatusUnprocessableEntity, "/login")

	// The summary is read first; its one link (the message is the same for
	// both fields) goes back to the e-mail address, which is kept.
	k.awaitFocus("div.error-summary")
	if title := eval[string](t, ctx, `document.title`); !strings.HasPrefix(title, "Error: ") {
		t.Errorf("title %q does not start with Error:", title)
	}
	links := eval[[]string](t, ctx, `[...document.querySelectorAll('.error-summary a')].map(a => a.hash + ' ' + a.textContent)`)
	if len(links) != 1 || !strings.HasPrefix(links[0], "#email ") {
		t.Fatalf("error summary links: %q, want one to #email", links)
	}
	if got := eval[string](t, ctx, `document.getElementById('email').value + '|' + document.getElementById('password').value`); got != email+"|" {
		t.Errorf("e-mail|password shown again: %q, want the e-mail kept and the password not", got)
	}
	k.press(kb.Tab)
	k.expectFocus("a")
	k.press(kb.Enter)
	k.awaitFocus("#email")

	k.press(kb.Tab)
	k.expectFocus("#password")
	k.press(apitest.StaffPassword)
	submit(t, ctx, typeKeys(kb.Enter), http.StatusOK, "/staff")
	if h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); err != nil || h1 != "Staff home" {
		t.Fatalf("after signing in: heading %q, %v", h1, err)
	}

	submit(t, ctx, chromedp.Click(chromedp.CSS(`.staff-bar button`)), http.StatusOK, "/login?signed_out=1")
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/staff"))
	if err != nil || !strings.Contains(resp.URL, "/login") {
		t.Fatalf("after signing out, /staff answered %v at %v, not the sign-in form", err, resp)
	}
}
