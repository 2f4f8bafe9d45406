package api_test

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

// linkedPeer signs in a peer account linked to the practitioner the peer
// contact was routed to.
func linkedPeer(t *testing.T, srv *apitest.Server, contactID string) *apitest.Browser {
	t.Helper()
	ctx := context.Background()
	c, err := srv.Intake.Contact(ctx, contactID)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := srv.Intake.Practitioner(ctx, c.PractitionerID)
	if err != nil {
		t.Fatal(err)
	}
	b, email := srv.Staff(t, accounts.RolePeer)
	if _, err := srv.Intake.UpdatePractitioner(ctx, pr.ID, intake.PractitionerDetails{Name: pr.Name, Kind: pr.Kind, Phone: pr.Phone,
		Active: pr.Active, WeeklyCapacity: pr.WeeklyCapacity, AccountEmail: email}); err != nil {
		t.Fatal(err)
	}
	return b
}

// A peer account sees its own callers only, records their conversations, and
// the first conversation releases the survey text; another supporter's
// caller is "not found" to it.
func TestPeerAccount_SeesOnlyItsOwnCallersAndRecordsConversations(t *testing.T) {
	srv, handler := intakeServer(t)
	mine := openContact(t, handler, peerForm())
	postWithCSRF(t, handler, "/intake/contacts/"+mine+"/close", url.Values{"outcome": {"Details of Dr Pat Peer given"}})
	peer := linkedPeer(t, srv, mine)
	addPractitioner(t, srv, "Dr Other Peer", intake.PeerSupporter, "07700 900888")
	other := openContact(t, handler, with(with(peerForm(), "name", "Someone Else"), "phone", "07700 900111"))
	if c, _ := srv.Intake.Contact(context.Background(), other); c.PractitionerName != "Dr Other Peer" {
		t.Fatalf("second caller routed to %s, want the other supporter", c.PractitionerName)
	}

	_, body := peer.Get(t, "/peer")
	if !strings.Contains(body, "Sam Patel") || strings.Contains(body, "Someone Else") {
		t.Errorf("peer home:\n%s", body)
	}
	if resp, _ := peer.Get(t, "/peer/contacts/"+other); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another supporter's caller: %d, want 404", resp.StatusCode)
	}
	if resp, _ := postWithCSRF(t, peer, "/peer/contacts/"+other+"/peer", url.Values{"action": {"end"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("ending another supporter's caller: %d, want 404", resp.StatusCode)
	}
	resp, body := peer.Get(t, "/peer/contacts/"+mine)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "/close") || !strings.Contains(body, `id="peer-record"`) {
		t.Fatalf("own caller: %d\n%s", resp.StatusCode, body)
	}

	// A bad date is marked; a good one is recorded.
	resp, body = postWithCSRF(t, peer, "/peer/contacts/"+mine+"/peer", url.Values{"action": {"conversation"}, "on-day": {"31"}, "on-month": {"2"}, "on-year": {"2026"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#on"`) || !strings.Contains(body, `value="31"`) {
		t.Fatalf("bad date: %d\n%s", resp.StatusCode, body)
	}
	today := srv.Intake.Now().In(srv.Intake.Location)
	day := url.Values{"action": {"conversation"}, "on-day": {today.Format("2")}, "on-month": {today.Format("1")}, "on-year": {today.Format("2006")}}
	resp, _ = postWithCSRF(t, peer, "/peer/contacts/"+mine+"/peer", day)
	wantRedirect(t, "conversation", resp, "/peer/contacts/"+mine+"#peer")
	c, _ := srv.Intake.Contact(context.Background(), mine)
	if c.Peer == nil || len(c.Peer.Conversations) != 1 || c.Peer.ContactState() != "yes" {
		t.Errorf("relationship %+v", c.Peer)
	}
	if !hasAudit(auditEntries(t, srv), "peer_support_recorded", mine) {
		t.Error("conversation not audited")
	}
	sender := &textSender{}
	outbox, err := intake.NewOutbox(srv.Intake, sender, nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(context.Background()); err != nil || res.Sent != 1 {
		t.Errorf("after the first conversation: %+v %v", res, err)
	}
}
