package intake

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/feedback-service/feedback/field"
)

func TestPeerSupport_TextWaitsForTheFirstConversationThenGoes(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	peer := addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, nil)
	opened, closed := openAndClose(t, s, peerCaller())
	if closed.SurveyText != TextAfterConversation || opened.Contact.Peer == nil {
		t.Fatalf("closed: %v, peer %+v", closed.SurveyText, opened.Contact.Peer)
	}
	if res := process(t, ob); res.Sent != 0 {
		t.Fatalf("sent at intake: %+v", res)
	}
	load, err := s.Caseload(ctx, peer.ID)
	if err != nil || len(load) != 1 || load[0].Contact.ID != opened.Contact.ID || load[0].Person.Name != "Sam Patel" {
		t.Fatalf("caseload %+v, %v", load, err)
	}

	clk.Advance(3 * 24 * time.Hour)
	// A date in the future, or before the details were given, is refused.
	future, before := [3]string{}, [3]string{}
	future[0], future[1], future[2], _ = dayAfter(7)
	before[0], before[1], before[2], _ = dayAfter(-22)
	for _, d := range [][3]string{future, before, {"31", "2", "2026"}} {
		_, err := s.LogConversation(ctx, opened.Contact.ID, d[0], d[1], d[2])
		if !errors.As(err, new(field.Errors)) {
			t.Errorf("conversation on %v: %v, want a problem", d, err)
		}
	}
	if _, err := logOn(s, ctx, opened.Contact.ID, 2); err != nil {
		t.Fatal(err)
	}
	if res := process(t, ob); res.Sent != 1 || len(sender.sent) != 1 {
		t.Fatalf("after the first conversation: %+v", res)
	}
	if _, err := logOn(s, ctx, opened.Contact.ID, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndPeerSupport(ctx, opened.Contact.ID); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Contact(ctx, opened.Contact.ID)
	if c.Peer.ContactMade == nil || !*c.Peer.ContactMade || c.Peer.ContactMadeOn != isoDay(2) || len(c.Peer.Conversations) != 2 || c.Peer.EndedAt == nil {
		t.Errorf("relationship %+v", c.Peer)
	}
	if load, _ := s.Caseload(ctx, peer.ID); len(load) != 0 {
		t.Errorf("caseload after ending: %d", len(load))
	}
	if _, err := logOn(s, ctx, opened.Contact.ID, 4); !errors.Is(err, ErrPeerEnded) {
		t.Errorf("after ending: %v", err)
	}
}

func TestPeerSupport_WithNoConversationTheTextGoesAfterTheSetDays(t *testing.T) {
	s, clk := newTestStore(t)
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	s.PeerSurveyAfter = 10 * 24 * time.Hour
	ob := newTestOutbox(t, s, &recordingSender{}, nil)
	openAndClose(t, s, peerCaller())
	clk.Advance(10*24*time.Hour - time.Minute)
	if res := process(t, ob); res.Sent != 0 {
		t.Fatalf("early: %+v", res)
	}
	clk.Advance(time.Minute)
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("after 10 days: %+v", res)
	}
}
