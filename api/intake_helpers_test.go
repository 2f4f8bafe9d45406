package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// intakeServer is a test server with one active counsellor and one active
// peer supporter, and a call handler signed in.
func intakeServer(t *testing.T, opts ...apitest.Option) (*apitest.Server, *apitest.Browser) {
	t.Helper()
	srv := apitest.New(t, opts...)
	addPractitioner(t, srv, "Dr Casey Counsellor", intake.Counsellor, "")
	addPractitioner(t, srv, "Dr Pat Peer", intake.PeerSupporter, "07700 900999")
	handler, _ := srv.Staff(t, accounts.RoleIntake)
	return srv, handler
}

func addPractitioner(t *testing.T, srv *apitest.Server, name string, kind intake.PractitionerKind, phone string) intake.Practitioner {
	t.Helper()
	p, err := srv.Intake.AddPractitioner(context.Background(), intake.PractitionerDetails{
		Name: name, Kind: kind, Phone: phone, Active: true, WeeklyCapacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// counsellingForm is a complete, eligible new-contact form for counselling.
func counsellingForm() url.Values {
	return url.Values{
		"service": {"counselling"}, "channel": {"phone"}, "role": {"doctor"},
		"name": {"Alex Morgan"}, "date_of_birth": {"1985-04-02"}, "phone": {"07700 900123"},
		"email": {"alex.morgan@example.com"}, "postcode": {"LS1 4AP"}, "organisation": {"St Elsewhere NHS Trust"},
		"feedback_agreed": {"yes"},
	}
}

// peerForm is a complete, eligible new-contact form for peer support.
func peerForm() url.Values {
	return url.Values{
		"service": {"peer-support"}, "channel": {"live-chat"}, "role": {"medical-student"},
		"name": {"Sam Patel"}, "date_of_birth": {"2001-09-30"}, "phone": {"+44 7700 900456"},
		"address": {"1 High Street, Leeds"}, "job_role": {"Medical student"}, "feedback_agreed": {"yes"},
	}
}

// postWithCSRF sends a form with the browser's CSRF token.
func postWithCSRF(t *testing.T, b *apitest.Browser, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return b.PostForm(t, path, with(form, "csrf", b.CSRF(t)))
}

// openContact submits the new-contact form and returns the contact's id.
func openContact(t *testing.T, b *apitest.Browser, form url.Values) string {
	t.Helper()
	resp, body := postWithCSRF(t, b, "/intake/contacts/new", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/intake/contacts/") {
		t.Fatalf("open contact: %d to %q\n%s", resp.StatusCode, loc, body)
	}
	return strings.TrimPrefix(loc, "/intake/contacts/")
}

// auditEntries reads the newest audit entries.
func auditEntries(t *testing.T, srv *apitest.Server) []accounts.AuditEntry {
	t.Helper()
	page, err := srv.Accounts.ReadAudit(context.Background(), "", accounts.MaxAuditPageSize)
	if err != nil {
		t.Fatal(err)
	}
	return page.Entries
}

// hasAudit reports whether the log has an entry of action on target.
func hasAudit(entries []accounts.AuditEntry, action, target string) bool {
	for _, e := range entries {
		if string(e.Action) == action && e.Target == target {
			return true
		}
	}
	return false
}

// textSender stands in for an SMS gateway, keeping what it was asked to send.
type textSender struct {
	mu   sync.Mutex
	sent []sentText
}

type sentText struct{ To, Text string }

func (s *textSender) Send(_ context.Context, to, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sentText{to, text})
	return nil
}

// invitations stands in for the survey side's invitation counts.
type invitations struct {
	mu     sync.Mutex
	counts map[string]int // "service|day"
}

func (c *invitations) CountInvitation(_ context.Context, service, day string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[service+"|"+day]++
	return nil
}
