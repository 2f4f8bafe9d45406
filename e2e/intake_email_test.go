package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// sentEmails stands in for the e-mail gateway.
type sentEmails struct {
	mu sync.Mutex
	to []string
}

func (s *sentEmails) SendEmail(_ context.Context, to, _, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.to = append(s.to, to)
	return nil
}

// A call handler at the end of a live chat ticks the caller's agreement to a
// survey invitation by e-mail, forgets the address, is told so beside the
// field, adds it, and closes the contact: the invitation goes by e-mail.
func TestIntake_SurveyInvitationByEmail(t *testing.T) {
	srv := apitest.New(t)
	addPractitioners(t, srv)
	emails := &sentEmails{}
	outbox, err := intake.NewOutbox(srv.Intake, &recordedTexts{}, nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	outbox.UseEmail(emails)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)

	do(t, ctx, "open a new contact", chromedp.Navigate(srv.URL+"/intake/contacts/new"))
	chat := caller
	chat.Channel, chat.Phone, chat.Email, chat.FeedbackAgreed = intake.LiveChat, "", "", false
	fillContactForm(t, ctx, chat)
	do(t, ctx, "tick the agreement by e-mail", chromedp.Click(chromedp.CSS(`label[for="email_agreed"]`)))
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusUnprocessableEntity, "/intake/contacts/new")
	if s := text(t, ctx, "#email-error"); !strings.Contains(s, "Enter the caller's e-mail address, to send the survey invitation to") {
		t.Errorf("beside the e-mail field: %q", s)
	}
	screenshot(t, ctx, "contact-new-email-invitation-error", desktop)
	checkAccessible(t, ctx, "new contact, e-mail invitation without an address")

	do(t, ctx, "write the address", chromedp.Click(chromedp.ID("email")), typeKeys("jordan.reeve@example.com"))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sendForm)))
	if err != nil || resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/intake/contacts/") {
		t.Fatalf("open the contact: landed on %+v, %v", resp, err)
	}
	do(t, ctx, "write the outcome", chromedp.Click(chromedp.ID("outcome")), typeKeys("Talked it through; first session booked"))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sendForm)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("close the contact: %+v, %v", resp, err)
	}
	if s := text(t, ctx, "#survey-text"); !strings.Contains(s, "will be e-mailed to the caller shortly, instead of a text") {
		t.Errorf("after closing: %q", s)
	}
	screenshot(t, ctx, "contact-closed-email-invitation", desktop)
	checkAccessible(t, ctx, "closed contact, e-mail invitation")
	if res, err := outbox.ProcessDue(context.Background()); err != nil || res.Sent != 1 || len(emails.to) != 1 || emails.to[0] != "jordan.reeve@example.com" {
		t.Errorf("outbox: %+v %v, e-mailed %v", res, err, emails.to)
	}
}
