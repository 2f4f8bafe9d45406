package apitest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/intake"
)

// Helpers the audiences' tests share for intake: a staffed server, contact
// forms, the audit log and a stand-in SMS gateway.

// IntakeServer is a test server with one active counsellor and one active
// peer supporter, and a call handler signed in.
func IntakeServer(t testing.TB, opts ...Option) (*Server, *Browser) {
	t.Helper()
	srv := New(t, opts...)
	AddPractitioner(t, srv, "Dr Casey Counsellor", intake.Counsellor, "")
	AddPractitioner(t, srv, "Dr Pat Peer", intake.PeerSupporter, "07700 900999")
	handler, _ := srv.Staff(t, accounts.RoleIntake)
	return srv, handler
}

// AddPractitioner adds an active practitioner with a weekly capacity of 10.
func AddPractitioner(t testing.TB, srv *Server, name string, kind intake.PractitionerKind, phone string) intake.Practitioner {
	t.Helper()
	p, err := srv.Intake.AddPractitioner(context.Background(), intake.PractitionerDetails{
		Name: name, Kind: kind, Phone: phone, Active: true, WeeklyCapacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// CounsellingForm is a complete, eligible new-contact form for counselling.
func CounsellingForm() url.Values {
	return url.Values{
		"service": {"counselling"}, "channel": {"phone"}, "role": {"doctor"},
		"name": {"Alex Morgan"}, "date_of_birth": {"1985-04-02"}, "phone": {"07700 900123"},
		"email": {"alex.morgan@example.com"}, "postcode": {"LS1 4AP"}, "organisation": {"St Elsewhere NHS Trust"},
		"feedback_agreed": {"yes"},
	}
}

// PeerForm is a complete, eligible new-contact form for peer support.
func PeerForm() url.Values {
	return url.Values{
		"service": {"peer-support"}, "channel": {"live-chat"}, "role": {"medical-student"},
		"name": {"Sam Patel"}, "date_of_birth": {"2001-09-30"}, "phone": {"+44 7700 900456"},
		"address": {"1 High Street, Leeds"}, "job_role": {"Medical student"}, "feedback_agreed": {"yes"},
	}
}

// OpenContact submits the new-contact form and returns the contact's id.
func OpenContact(t testing.TB, b *Browser, form url.Values) string {
	t.Helper()
	resp, body := PostWithCSRF(t, b, "/intake/contacts/new", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/intake/contacts/") {
		t.Fatalf("open contact: %d to %q\n%s", resp.StatusCode, loc, body)
	}
	return strings.TrimPrefix(loc, "/intake/contacts/")
}

// AuditEntries reads the newest audit entries.
func AuditEntries(t testing.TB, srv *Server) []accounts.AuditEntry {
	t.Helper()
	page, err := srv.Accounts.ReadAudit(context.Background(), "", accounts.MaxAuditPageSize)
	if err != nil {
		t.Fatal(err)
	}
	return page.Entries
}

// HasAudit reports whether the log has an entry of action on target.
func HasAudit(entries []accounts.AuditEntry, action, target string) bool {
	for _, e := range entries {
		if string(e.Action) == action && e.Target == target {
			return true
		}
	}
	return false
}

// TextSender stands in for an SMS gateway, keeping what it was asked to send.
type TextSender struct {
	mu   sync.Mutex
	Sent []SentText
}

// SentText is one text a TextSender was asked to send.
type SentText struct{ To, Text string }

// Send keeps the text.
func (s *TextSender) Send(_ context.Context, to, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Sent = append(s.Sent, SentText{to, text})
	return nil
}
