package intakepages_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/intake"
)

// notifyStandIn stands in for GOV.UK Notify's e-mail endpoint, keeping each request.
type notifyStandIn struct {
	mu  sync.Mutex
	got []notifyRequest
}

type notifyRequest struct {
	Path            string            `json:"-"`
	EmailAddress    string            `json:"email_address"`
	TemplateID      string            `json:"template_id"`
	Personalisation map[string]string `json:"personalisation"`
}

func (n *notifyStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req notifyRequest
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &req)
	req.Path = r.URL.Path
	n.mu.Lock()
	n.got = append(n.got, req)
	n.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

const notifyTestKey = "feedback_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"

// emailOutbox turns on survey invitations by e-mail, through a stand-in
// Notify, with single-use invitation links; texts go to an apitest.TextSender.
func emailOutbox(t *testing.T, srv *apitest.Server) (*intake.Outbox, *notifyStandIn, *apitest.TextSender) {
	t.Helper()
	notify := &notifyStandIn{}
	gateway := httptest.NewServer(notify)
	t.Cleanup(gateway.Close)
	email, err := intake.NewNotifyEmailSender(notifyTestKey, "survey-email-template", clocktest.Wall)
	if err != nil {
		t.Fatal(err)
	}
	email.BaseURL = gateway.URL
	texts := &apitest.TextSender{}
	outbox, err := intake.NewOutbox(srv.Intake, texts, nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := outbox.UseInvitations(srv.Invitations); err != nil {
		t.Fatal(err)
	}
	outbox.UseEmail(email)
	return outbox, notify, texts
}

// emailContactForm is a counselling contact over e-mail whose caller agreed
// to the survey invitation by e-mail.
func emailContactForm() url.Values {
	f := apitest.CounsellingForm()
	f.Set("channel", "email")
	f.Set("email", "Alex.Morgan@Example.org")
	f.Set("email_agreed", "yes")
	return f
}

func TestEmailInvitation_NotOfferedUntilSetUpAndRefusedNotDropped(t *testing.T) {
	_, handler := apitest.IntakeServer(t)
	_, body := handler.Get(t, "/intake/contacts/new?risk=no")
	if !strings.Contains(body, "Survey invitations by e-mail are not set up") || strings.Contains(body, `name="email_agreed"`) {
		t.Fatalf("form without e-mail set up:\n%s", body)
	}
	resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", emailContactForm())
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#email_agreed"`) || !strings.Contains(body, `id="email_agreed"`) {
		t.Fatalf("agreement without e-mail set up: %d\n%s", resp.StatusCode, body)
	}
}

func TestEmailInvitation_FormMarksABadOrMissingAddressAndKeepsTheAnswers(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	emailOutbox(t, srv)
	_, body := handler.Get(t, "/intake/contacts/new?risk=no")
	if !strings.Contains(body, `<input type="checkbox" id="email_agreed" name="email_agreed" value="yes">`) {
		t.Fatalf("the form does not ask:\n%s", body)
	}
	for address, message := range map[string]string{
		"":                "Enter the caller&#39;s e-mail address, to send the survey invitation to",
		"alex at example": "Enter an e-mail address, like name@example.com",
	} {
		form := emailContactForm()
		form.Set("email", address)
		form.Set("language", "cy")
		resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", form)
		for _, want := range []string{`href="#email"`, `id="email-error"`, message, `name="email_agreed" value="yes" checked`,
			`value="` + address + `"`, `id="language" name="language" value="en">`, `value="cy" checked`} {
			if !strings.Contains(body, want) {
				t.Errorf("address %q: %d, page lacks %q", address, resp.StatusCode, want)
			}
		}
	}
}

var invitationLink = regexp.MustCompile(`http://[^\s]+/i/[^\s?]+\?lang=cy`)

// The whole way: agreed on the form, closed, e-mailed through Notify in Welsh
// with a single-use link that opens the Welsh survey, the address erased.
func TestEmailInvitation_GoesThroughNotifyInWelshAndTheAddressIsErased(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	outbox, notify, texts := emailOutbox(t, srv)
	form := emailContactForm()
	form.Set("language", "cy")
	id := apitest.OpenContact(t, handler, form)
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Booked a first session"}})
	if _, body := handler.Get(t, "/intake/contacts/"+id); !strings.Contains(body, "will be e-mailed to the caller shortly, instead of a text") ||
		!strings.Contains(body, `Invitation by e-mail</th><td>Agreed, in Welsh`) {
		t.Fatalf("the contact page does not say an e-mail is queued:\n%s", body)
	}
	if res, err := outbox.ProcessDue(context.Background()); err != nil || res.Sent != 1 {
		t.Fatalf("process outbox: %+v %v", res, err)
	}
	if len(notify.got) != 1 || len(texts.Sent) != 0 {
		t.Fatalf("sent %d e-mails and %d texts, want one e-mail only", len(notify.got), len(texts.Sent))
	}
	got := notify.got[0]
	link := invitationLink.FindString(got.Personalisation["message"])
	if got.Path != "/v2/notifications/email" || got.TemplateID != "survey-email-template" || got.EmailAddress != "alex.morgan@example.org" ||
		got.Personalisation["subject"] != "Sut aeth hi? Arolwg byr dienw" || link == "" || len(got.Personalisation) != 2 {
		t.Fatalf("Notify was sent %+v", got)
	}
	u, _ := url.Parse(link)
	if resp, body := srv.Get(t, u.RequestURI()); resp.StatusCode != http.StatusOK || !strings.Contains(body, `lang="cy"`) {
		t.Fatalf("the e-mailed link: %d", resp.StatusCode)
	}
	contact, _ := srv.Intake.Contact(context.Background(), id)
	held, err := srv.Intake.Export(context.Background(), contact.PersonID)
	if err != nil || len(held.Outbox) != 1 || held.Outbox[0].Email != "" || held.Outbox[0].Phone != "" {
		t.Fatalf("the outbox after sending: %+v %v", held.Outbox, err)
	}
	if strings.Contains(strings.ToLower(srv.Logs.String()), "alex.morgan") {
		t.Error("the log holds the address")
	}
}
