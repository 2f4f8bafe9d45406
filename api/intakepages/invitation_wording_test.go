package intakepages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// silentGateway stands in for both SMS and e-mail gateways and sends nothing.
type silentGateway struct{}

func (silentGateway) Send(context.Context, string, string) error              { return nil }
func (silentGateway) SendEmail(context.Context, string, string, string) error { return nil }

// emailIntakeServer is a test server with survey invitations by e-mail turned on,
// a peer supporter, and a call handler signed in.
func emailIntakeServer(t *testing.T) (*apitest.Server, *apitest.Browser) {
	t.Helper()
	srv := apitest.New(t)
	if _, err := srv.Intake.AddPractitioner(context.Background(), intake.PractitionerDetails{
		Name: "Dr Pat Peer", Kind: intake.PeerSupporter, Phone: "07700 900999", Active: true, WeeklyCapacity: 10}); err != nil {
		t.Fatal(err)
	}
	outbox, err := intake.NewOutbox(srv.Intake, silentGateway{}, nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	outbox.UseEmail(silentGateway{})
	handler, _ := srv.Staff(t, accounts.RoleIntake)
	return srv, handler
}

// closedPeerContact opens a peer-support contact from form, closes it with
// closing, and returns the contact page.
func closedPeerContact(t *testing.T, handler *apitest.Browser, form, closing url.Values) string {
	t.Helper()
	form.Set("csrf", handler.CSRF(t))
	resp, body := handler.PostForm(t, "/intake/contacts/new", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/intake/contacts/") {
		t.Fatalf("open contact: %d to %q\n%s", resp.StatusCode, loc, body)
	}
	closing.Set("csrf", handler.CSRF(t))
	handler.PostForm(t, loc+"/close", closing)
	_, body = handler.Get(t, loc)
	return body
}

// peerFormAgreeing is a peer-support contact for a new caller named name,
// agreeing to the survey by e-mail or by text.
func peerFormAgreeing(name, born string, byEmail bool) url.Values {
	f := url.Values{
		"service": {"peer-support"}, "channel": {"live-chat"}, "role": {"medical-student"},
		"name": {name}, "date_of_birth": {born}, "phone": {"+44 7700 900456"},
		"address": {"1 High Street, Leeds"}, "job_role": {"Medical student"}, "feedback_agreed": {"yes"},
	}
	if byEmail {
		f.Set("feedback_agreed", "")
		f.Set("email", "sam.patel@example.org")
		f.Set("email_agreed", "yes")
	}
	return f
}

// A peer-support caller who agreed to the survey invitation by e-mail: the
// contact page speaks of the invitation and the e-mail, never a text; a
// caller who agreed to a text still reads of the text.
func TestContactPage_PeerSupportByEmailSpeaksOfTheInvitationNotAText(t *testing.T) {
	_, handler := emailIntakeServer(t)
	outcome := url.Values{"outcome": {"Dr Pat Peer's number given"}}
	body := closedPeerContact(t, handler, peerFormAgreeing("Sam Patel", "2001-09-30", true), outcome)
	status := surveyStatus(t, body)
	if !strings.Contains(status, "The survey invitation waits until the first conversation with the peer supporter") ||
		!strings.Contains(status, "e-mailed to the caller") || strings.Contains(status, "survey text") {
		t.Errorf("by e-mail: %q", status)
	}
	body = closedPeerContact(t, handler, peerFormAgreeing("Robin Shah", "1999-03-14", false), outcome)
	if status := surveyStatus(t, body); !strings.Contains(status, "The survey text waits until the first conversation") {
		t.Errorf("by text: %q", status)
	}
	emergency := url.Values{"outcome": {"999 called"}, "emergency": {"yes"}}
	body = closedPeerContact(t, handler, peerFormAgreeing("Jo Evans", "1990-07-21", true), emergency)
	if status := surveyStatus(t, body); !strings.Contains(status, "No survey invitation: emergency services were called") || strings.Contains(status, "survey text") {
		t.Errorf("by e-mail, after an emergency: %q", status)
	}
}

// surveyStatus is the contact page's survey status notice.
func surveyStatus(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="survey-text"`)
	if !ok {
		t.Fatalf("no survey status on the page:\n%s", body)
	}
	status, _, _ := strings.Cut(rest, "</div>")
	return status
}
