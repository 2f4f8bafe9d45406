package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// polishGateway stands in for both SMS and e-mail gateways and sends nothing.
type polishGateway struct{}

func (polishGateway) Send(context.Context, string, string) error              { return nil }
func (polishGateway) SendEmail(context.Context, string, string, string) error { return nil }

// polishIntake is a test server with survey invitations by e-mail turned on,
// a peer supporter, and a call handler signed in.
func polishIntake(t *testing.T) (*apitest.Server, *apitest.Browser) {
	t.Helper()
	srv := apitest.New(t)
	if _, err := srv.Intake.AddPractitioner(context.Background(), intake.PractitionerDetails{
		Name: "Dr Pat Peer", Kind: intake.PeerSupporter, Phone: "07700 900999", Active: true, WeeklyCapacity: 10}); err != nil {
		t.Fatal(err)
	}
	outbox, err := intake.NewOutbox(srv.Intake, polishGateway{}, nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	outbox.UseEmail(polishGateway{})
	handler, _ := srv.Staff(t, accounts.RoleIntake)
	return srv, handler
}

// polishClosedContact opens a peer-support contact from form, closes it with
// closing, and returns the contact page.
func polishClosedContact(t *testing.T, handler *apitest.Browser, form, closing url.Values) string {
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

// polishPeerForm is a peer-support contact for a new caller named name,
// agreeing to the survey by e-mail or by text.
func polishPeerForm(name, born string, byEmail bool) url.Values {
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
	_, handler := polishIntake(t)
	outcome := url.Values{"outcome": {"Dr Pat Peer's number given"}}
	body := polishClosedContact(t, handler, polishPeerForm("Sam Patel", "2001-09-30", true), outcome)
	status := polishStatus(t, body)
	if !strings.Contains(status, "The survey invitation waits until the first conversation with the peer supporter") ||
		!strings.Contains(status, "e-mailed to the caller") || strings.Contains(status, "survey text") {
		t.Errorf("by e-mail: %q", status)
	}
	body = polishClosedContact(t, handler, polishPeerForm("Robin Shah", "1999-03-14", false), outcome)
	if status := polishStatus(t, body); !strings.Contains(status, "The survey text waits until the first conversation") {
		t.Errorf("by text: %q", status)
	}
	emergency := url.Values{"outcome": {"999 called"}, "emergency": {"yes"}}
	body = polishClosedContact(t, handler, polishPeerForm("Jo Evans", "1990-07-21", true), emergency)
	if status := polishStatus(t, body); !strings.Contains(status, "No survey invitation: emergency services were called") || strings.Contains(status, "survey text") {
		t.Errorf("by e-mail, after an emergency: %q", status)
	}
}

// polishStatus is the contact page's survey status notice.
func polishStatus(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="survey-text"`)
	if !ok {
		t.Fatalf("no survey status on the page:\n%s", body)
	}
	status, _, _ := strings.Cut(rest, "</div>")
	return status
}

// polishPublishService publishes a survey for a new service, "video
// counselling", through the survey library, and lets the app follow the
// library as its 15-second poll does.
func polishPublishService(t *testing.T, srv *apitest.Server) {
	t.Helper()
	cur, _ := srv.Surveys.Get("counselling")
	file, err := cur.File()
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(file, &d); err != nil {
		t.Fatal(err)
	}
	d["service"], d["based_on"], d["title"] = "video-counselling", "counselling", "Feedback on video counselling"
	file, _ = json.Marshal(d)
	if _, err := srv.Library.Publish(context.Background(), file, "lead@example.org"); err != nil {
		t.Fatal(err)
	}
	srv.RefreshSurveys(t)
}

// The pages that offer the surveys to someone whose link failed (a 404
// anywhere, a broken invitation) and the privacy page follow the survey
// library: a service published after start-up is there without a restart.
func TestSurveyLists_FollowAServicePublishedAfterStartUp(t *testing.T) {
	srv := apitest.New(t)
	if _, body := srv.Get(t, "/no-such-page"); strings.Contains(body, "/s/video-counselling") {
		t.Fatalf("listed before it was published:\n%s", body)
	}
	polishPublishService(t, srv)
	for _, path := range []string{"/no-such-page", "/s/no-such-survey", "/s/no-such-survey/privacy", "/i/not-a-real-code"} {
		resp, body := srv.Get(t, path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `href="/s/video-counselling`) ||
			!strings.Contains(body, "Feedback on video counselling") || !strings.Contains(body, `href="/s/counselling`) {
			t.Errorf("%s: %d, the new service is not offered:\n%s", path, resp.StatusCode, body)
		}
	}
	if resp, body := srv.Get(t, "/s/video-counselling/privacy"); resp.StatusCode != http.StatusOK {
		t.Errorf("privacy page of the new service: %d\n%s", resp.StatusCode, body)
	}
}
