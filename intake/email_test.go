package intake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/field"
)

const testNotifyKey = "feedback_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"

// notifyEmails stands in for GOV.UK Notify's e-mail endpoint: it keeps each
// request it was sent and answers with the statuses it is given, then 201.
type notifyEmails struct {
	mu       sync.Mutex
	got      []notifyEmail
	statuses []int
}

type notifyEmail struct {
	Path            string            `json:"-"`
	EmailAddress    string            `json:"email_address"`
	TemplateID      string            `json:"template_id"`
	Personalisation map[string]string `json:"personalisation"`
}

func (n *notifyEmails) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var e notifyEmail
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &e)
	e.Path = r.URL.Path
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, e)
	status := http.StatusCreated
	if len(n.statuses) > 0 {
		status, n.statuses = n.statuses[0], n.statuses[1:]
	}
	w.WriteHeader(status)
}

// emailOutbox is a test outbox whose e-mails go to a stand-in Notify.
func emailOutbox(t *testing.T, s *Store, statuses ...int) (*Outbox, *notifyEmails) {
	t.Helper()
	fake := &notifyEmails{statuses: statuses}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	sender, err := NewNotifyEmailSender(testNotifyKey, "email-template", clocktest.Wall)
	if err != nil {
		t.Fatal(err)
	}
	sender.BaseURL = srv.URL
	o := newTestOutbox(t, s, &recordingSender{}, nil)
	o.UseEmail(sender)
	return o, fake
}

// emailCaller is a counselling caller over e-mail who agreed to an invitation by e-mail.
func emailCaller() NewContact {
	n := counsellingCaller()
	n.Channel, n.Email, n.EmailAgreed = Email, "Alex.Morgan@Example.org", true
	return n
}

func TestOpenContact_EmailAgreementNeedsAnAddressAndAConfiguredSender(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	for _, tc := range []struct {
		name, email, field string
		on                 bool
	}{
		{"not configured", "alex@example.org", "email_agreed", false},
		{"no address", "", "email", true},
		{"bad address", "alex at example", "email", true},
		{"bad address, not agreed", "alex@", "email", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.emailInvitations.Store(tc.on)
			n := emailCaller()
			n.Email = tc.email
			n.EmailAgreed = tc.name != "bad address, not agreed"
			_, err := s.OpenContact(context.Background(), n)
			var problems field.Errors
			if !errors.As(err, &problems) || len(problems) != 1 || problems[0].Field != tc.field {
				t.Fatalf("err %v, want one problem on %s", err, tc.field)
			}
		})
	}
}

func TestOutbox_EmailsTheInvitationInsteadOfATextAndErasesTheAddress(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	ob, fake := emailOutbox(t, s)
	opened, closed := openAndClose(t, s, emailCaller())
	if closed.SurveyText != TextEmailQueued {
		t.Fatalf("survey text %q, want %q", closed.SurveyText, TextEmailQueued)
	}
	e, _ := outboxEntry(t, s, opened.Contact.ID)
	if e.Email != "alex.morgan@example.org" || e.Phone != "" {
		t.Fatalf("queued %+v, want the address and no number", e)
	}
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("processed %+v, want one sent", res)
	}
	subject, body := SurveyEmailIn(SurveyLink(testBaseURL, Counselling), English)
	want := notifyEmail{Path: "/v2/notifications/email", EmailAddress: "alex.morgan@example.org", TemplateID: "email-template",
		Personalisation: map[string]string{"subject": subject, "message": body}}
	if len(fake.got) != 1 || !sameEmail(fake.got[0], want) || ob.sender.(*recordingSender).sent != nil {
		t.Fatalf("sent %+v, want only %+v", fake.got, want)
	}
	if e, _ := outboxEntry(t, s, opened.Contact.ID); e.Status != statusSent || e.Email != "" || e.Phone != "" {
		t.Fatalf("entry after sending %+v, want sent with no address", e)
	}
}

func sameEmail(a, b notifyEmail) bool {
	return a.Path == b.Path && a.EmailAddress == b.EmailAddress && a.TemplateID == b.TemplateID &&
		len(a.Personalisation) == 2 && a.Personalisation["subject"] == b.Personalisation["subject"] &&
		a.Personalisation["message"] == b.Personalisation["message"]
}

func TestOutbox_EmailInWelshLinksToTheWelshSurvey(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	ob, fake := emailOutbox(t, s)
	n := emailCaller()
	n.Language = string(Welsh)
	openAndClose(t, s, n)
	process(t, ob)
	if len(fake.got) != 1 || fake.got[0].Personalisation["subject"] != welshEmailSubject ||
		!strings.Contains(fake.got[0].Personalisation["message"], "/s/counselling?lang=cy") {
		t.Fatalf("sent %+v, want the Welsh e-mail", fake.got)
	}
}

func TestOutbox_RetriesAnEmailLikeATextThenGivesUpAndErasesTheAddress(t *testing.T) {
	s, clk := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	ob, fake := emailOutbox(t, s, http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	opened, _ := openAndClose(t, s, emailCaller())
	for _, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		if res := process(t, ob); res.Retrying != 1 {
			t.Fatalf("%+v, want a retry", res)
		}
		if e, _ := outboxEntry(t, s, opened.Contact.ID); e.Email == "" || !e.NextAttemptAt.Equal(clk.Now().Add(wait)) {
			t.Fatalf("waiting entry %+v, want the address kept until the next attempt", e)
		}
		clk.Advance(wait)
	}
	if res := process(t, ob); res.Failed != 1 {
		t.Fatalf("third attempt %+v, want given up", res)
	}
	if e, _ := outboxEntry(t, s, opened.Contact.ID); e.Status != statusFailed || e.Email != "" || len(fake.got) != 3 {
		t.Fatalf("after giving up %+v (%d attempts), want failed with no address after 3", e, len(fake.got))
	}
}

func TestOutbox_RefusedAddressIsGivenUpAtOnce(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	ob, _ := emailOutbox(t, s, http.StatusBadRequest)
	opened, _ := openAndClose(t, s, emailCaller())
	if res := process(t, ob); res.Failed != 1 {
		t.Fatalf("%+v, want failed at once", res)
	}
	if e, _ := outboxEntry(t, s, opened.Contact.ID); e.Email != "" || strings.Contains(e.LastError, "example") {
		t.Fatalf("entry %+v, want no address anywhere", e)
	}
}

// A contact that agreed to e-mail, closed after e-mail was turned off, gets the
// text it can get instead.
func TestCloseContact_FallsBackToTheTextWhenEmailIsOff(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	ob, _ := emailOutbox(t, s)
	opened := mustOpen(t, s, emailCaller())
	ob.UseEmail(nil)
	c, err := s.CloseContact(context.Background(), opened.Contact.ID, "booked")
	if err != nil || c.SurveyText != TextQueued {
		t.Fatalf("closed %q, %v; want a text queued", c.SurveyText, err)
	}
	if e, _ := outboxEntry(t, s, opened.Contact.ID); e.Email != "" || e.Phone == "" {
		t.Fatalf("queued %+v, want the number", e)
	}
}

func TestLogSender_DropsEmailsWithoutALine(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	ob := newTestOutbox(t, s, LogSender{}, nil)
	ob.UseEmail(LogSender{})
	var logs strings.Builder
	ob.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	openAndClose(t, s, emailCaller())
	ctx, cancel := context.WithCancel(context.Background())
	ob.Processed = func(Processed) { cancel() }
	ob.Run(ctx)
	if lines := strings.Split(strings.TrimSpace(logs.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "sent=1") ||
		strings.Contains(logs.String(), "example") {
		t.Fatalf("log %q, want one count and no address", logs.String())
	}
}

// A caller who agreed to an invitation by e-mail only, whose contact closed
// after e-mail was turned off, gets no text (they did not agree to one), and
// the call handler is offered a one-off link instead: never a silent drop.
func TestCloseContact_EmailOnlyAgreementWithEmailOffOffersALink(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	ob, _ := emailOutbox(t, s)
	n := emailCaller()
	n.FeedbackAgreed = false
	opened := mustOpen(t, s, n)
	ob.UseEmail(nil)
	c, err := s.CloseContact(context.Background(), opened.Contact.ID, "booked")
	if err != nil || c.SurveyText != TextEmailUnavailable || !CanGiveSurveyLink(c) {
		t.Fatalf("closed %q, %v; want %q with a link to give", c.SurveyText, err, TextEmailUnavailable)
	}
	if _, queued := outboxEntry(t, s, opened.Contact.ID); queued {
		t.Fatal("something was queued")
	}
	link, err := s.GiveSurveyLink(context.Background(), c.ID, &stubLinks{base: testBaseURL, codeSize: 20})
	if err != nil || !strings.Contains(link, "/i/") {
		t.Fatalf("link %q, %v", link, err)
	}
}

// The address waiting in the outbox is the person's: a subject access export
// shows it, and erasure removes it with the rest.
func TestEmailInOutbox_ExportedAndErased(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	emailOutbox(t, s)
	opened, _ := openAndClose(t, s, emailCaller())
	held, err := s.Export(ctx, opened.Person.ID)
	if err != nil || len(held.Outbox) != 1 || held.Outbox[0].Email != "alex.morgan@example.org" {
		t.Fatalf("export %+v %v, want the queued address", held.Outbox, err)
	}
	if err := s.Erase(ctx, opened.Person.ID); err != nil {
		t.Fatal(err)
	}
	if _, queued := outboxEntry(t, s, opened.Contact.ID); queued {
		t.Fatal("the queued e-mail outlived the erasure")
	}
}
