package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// Issue 32: a fresh install's first counselling call. An admin adds the first
// counsellor through the practitioners page; a call handler then records a
// caller, who is routed to them, and closes the contact choosing no survey
// text because the call was distressing.
func TestIntake_FreshInstallFirstCounsellingCall(t *testing.T) {
	srv := apitest.New(t)
	admin := newTab(t)
	do(t, admin, "emulate a desktop", desktop.emulate())
	signIn(t, admin, srv, accounts.RoleAdmin)
	do(t, admin, "open practitioners", chromedp.Navigate(srv.URL+"/staff"), chromedp.Click(chromedp.CSS(`main a[href="/admin/practitioners"]`)),
		chromedp.WaitVisible(chromedp.ID("name")))
	do(t, admin, "write the name", chromedp.Click(chromedp.ID("name")), typeKeys("Dr Morgan Kaye"))
	do(t, admin, "choose counsellor", chromedp.Click(chromedp.CSS(`input[name="kind"][value="counsellor"]`)))
	do(t, admin, "write the capacity", chromedp.Click(chromedp.ID("weekly_capacity")), typeKeys("12"))
	submit(t, admin, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/admin/practitioners")
	if s := text(t, admin, "main table"); !strings.Contains(s, "Dr Morgan Kaye") || !strings.Contains(s, "Counsellor") || !strings.Contains(s, "Active") {
		t.Fatalf("practitioners %q", s)
	}
	screenshot(t, admin, "fresh-install-practitioner-added", desktop)
	checkAccessible(t, admin, "practitioners")

	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)
	do(t, ctx, "open a new contact", chromedp.Navigate(srv.URL+"/intake/contacts/new"))
	fillContactForm(t, ctx, caller)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sendForm)))
	if err != nil || resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/intake/contacts/") {
		t.Fatalf("open the contact: landed on %+v, %v", resp, err)
	}
	id := resp.URL[strings.LastIndex(resp.URL, "/")+1:]
	if s := text(t, ctx, "#routing"); !strings.Contains(s, "Routed to Dr Morgan Kaye.") {
		t.Errorf("routing %q", s)
	}
	do(t, ctx, "write the outcome", chromedp.Click(chromedp.ID("outcome")), typeKeys("Talked through a difficult shift; first session booked"))
	do(t, ctx, "choose no survey text", chromedp.Click(chromedp.CSS(`label[for="no_text-distressing"]`)))
	screenshot(t, ctx, "first-call-closing", desktop)
	checkAccessible(t, ctx, "closing with no survey text")
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/intake/contacts/"+id)
	if s := text(t, ctx, "#survey-text"); !strings.Contains(s, "No survey text: you chose none for this contact.") {
		t.Errorf("after closing %q", s)
	}
	if s := text(t, ctx, "table.details"); !strings.Contains(s, "The call was distressing") || strings.Contains(s, "\tdistressing") {
		t.Errorf("contact %q", s)
	}
	screenshot(t, ctx, "first-call-closed", desktop)
	c, err := srv.Intake.Contact(context.Background(), id)
	if err != nil || c.SurveyText != intake.TextWithheld || c.NoText != intake.NoTextDistressing || c.Session != 1 {
		t.Errorf("stored %+v, %v", c, err)
	}
}

// A returning caller whose name is typed misspelt: attaching to their record
// shows the stored and the typed name side by side, and the handler keeps
// the stored one; the record is unchanged.
func TestIntake_ReturningCallerWithAMisspeltNameKeepsTheStoredName(t *testing.T) {
	srv := apitest.New(t)
	r := fillIntake(t, srv)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)
	do(t, ctx, "open the caller's history", chromedp.Navigate(srv.URL+"/intake/contacts/new?person="+r.Person.ID))
	answerFirstStep(t, ctx, false, intake.Counselling)
	do(t, ctx, "misspell the name", chromedp.Clear(chromedp.ID("name")), chromedp.Click(chromedp.ID("name")), typeKeys("Jordan Reave"))
	do(t, ctx, "choose the channel", chromedp.Click(chromedp.CSS(`input[name="channel"][value="phone"]`)))
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusConflict, "/intake/contacts/new")
	d := text(t, ctx, "#differences")
	for _, want := range []string{"Some details differ", "Full name", "Jordan Reeve", "Jordan Reave"} {
		if !strings.Contains(d, want) {
			t.Errorf("differences %q lack %q", d, want)
		}
	}
	screenshot(t, ctx, "returning-caller-differences", desktop)
	checkAccessible(t, ctx, "differing details")
	do(t, ctx, "keep the stored name", chromedp.Click(chromedp.CSS(`label[for="keep_name"]`)))
	submit(t, ctx, chromedp.Click(chromedp.ID("keep-chosen")), http.StatusOK, "/intake/contacts/")
	if h := text(t, ctx, "h1"); h != "Contact with Jordan Reeve" {
		t.Errorf("heading %q", h)
	}
	screenshot(t, ctx, "returning-caller-attached", desktop)
	p, _ := srv.Intake.Person(context.Background(), r.Person.ID)
	if p.Name != "Jordan Reeve" || p.CounsellingSessions != 2 {
		t.Errorf("person %+v, want the stored name and a second session", p)
	}
}
