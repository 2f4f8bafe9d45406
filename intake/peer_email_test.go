package intake

import (
	"context"
	"testing"
	"time"
)

// A peer-support caller who agreed to the invitation by e-mail: closing says
// the invitation (not a text) waits for the first conversation, and when it
// goes, it goes by e-mail.
func TestPeerSupport_EmailInvitationWaitsForTheFirstConversationThenIsEmailed(t *testing.T) {
	s, clk := newTestStore(t)
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	ob, fake := emailOutbox(t, s)
	n := peerCaller()
	n.Email, n.EmailAgreed = "sam.patel@example.org", true
	opened, closed := openAndClose(t, s, n)
	if closed.SurveyText != TextEmailAfterConversation {
		t.Fatalf("survey text %q, want %q", closed.SurveyText, TextEmailAfterConversation)
	}
	if res := process(t, ob); res.Sent != 0 {
		t.Fatalf("sent at intake: %+v", res)
	}
	clk.Advance(3 * 24 * time.Hour)
	if _, err := logOn(s, context.Background(), opened.Contact.ID, 2); err != nil {
		t.Fatal(err)
	}
	if res := process(t, ob); res.Sent != 1 || len(fake.got) != 1 || fake.got[0].EmailAddress != "sam.patel@example.org" ||
		ob.sender.(*recordingSender).sent != nil {
		t.Fatalf("after the first conversation: %+v, e-mails %+v", res, fake.got)
	}
}
