package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// Issue 32: on a fresh install, with no practitioner yet, a call handler takes
// a caller at immediate risk of whom nothing is known. /intake says what to
// set up; "yes" to risk brings the guidance, and the contact is recorded at
// once with nothing else; its page lists what to ask, and the details are
// completed later from it.
func TestIntake_RiskCallWithNothingKnownOnAFreshInstall(t *testing.T) {
	srv := apitest.New(t)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)

	do(t, ctx, "open intake", chromedp.Navigate(srv.URL+"/intake"))
	if s := text(t, ctx, "#setup"); !strings.Contains(s, "No counsellor and no peer-support doctor is active") {
		t.Errorf("set-up message %q", s)
	}
	screenshot(t, ctx, "intake-fresh-install", desktop)
	checkAccessible(t, ctx, "intake home")

	do(t, ctx, "open a new contact", chromedp.Click(chromedp.ID("new-contact")), chromedp.WaitVisible(chromedp.CSS(`label[for="risk"]`)))
	answerRisk(t, ctx, true)
	if shown, g := guidanceOnScreen(t, ctx); !shown || !strings.Contains(g, "call 999 now") {
		t.Errorf("guidance on screen %v: %q", shown, g)
	}
	screenshot(t, ctx, "risk-form-nothing-needed", desktop)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("record-now")))
	if err != nil || resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/intake/contacts/") {
		t.Fatalf("record now: landed on %+v, %v", resp, err)
	}
	id := resp.URL[strings.LastIndex(resp.URL, "/")+1:]
	if s := text(t, ctx, "#incomplete"); !strings.Contains(s, "Full name: not known yet") || !strings.Contains(s, "Postcode: not known yet") {
		t.Errorf("incomplete %q", s)
	}
	if s := text(t, ctx, "#routing"); !strings.Contains(s, "crisis contact, routed to no one") {
		t.Errorf("routing %q", s)
	}
	screenshot(t, ctx, "risk-contact-nothing-known", desktop)
	checkAccessible(t, ctx, "contact at risk, nothing known")

	do(t, ctx, "open complete the details", chromedp.Click(chromedp.ID("complete-details")), chromedp.WaitVisible(chromedp.ID("save-details")))
	do(t, ctx, "write the name", chromedp.Click(chromedp.ID("name")), typeKeys("Robin Ash"))
	do(t, ctx, "write the phone", chromedp.Click(chromedp.ID("phone")), typeKeys("07700 900111"))
	do(t, ctx, "tick postcode refused", chromedp.Click(chromedp.CSS(`label[for="refused-postcode"]`)))
	screenshot(t, ctx, "risk-complete-details", desktop)
	checkAccessible(t, ctx, "complete the details")
	submit(t, ctx, chromedp.Click(chromedp.ID("save-details")), http.StatusOK, "/intake/contacts/"+id)
	if h := text(t, ctx, "h1"); h != "Contact with Robin Ash" {
		t.Errorf("heading %q", h)
	}
	screenshot(t, ctx, "risk-contact-partly-completed", desktop)

	c, err := srv.Intake.Contact(context.Background(), id)
	if err != nil || c.PractitionerID != "" || c.Session != 0 || !c.Incomplete() {
		t.Errorf("stored contact %+v (%v)", c, err)
	}
	do(t, ctx, "open the incomplete list", chromedp.Navigate(srv.URL+"/intake/contacts/incomplete"))
	if s := text(t, ctx, "main table"); !strings.Contains(s, "Robin Ash") || !strings.Contains(s, "date of birth") {
		t.Errorf("incomplete list %q", s)
	}
	screenshot(t, ctx, "incomplete-contacts", desktop)
}
