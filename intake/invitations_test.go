package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// stubLinks stands in for invitation.Codes: links of the same shape, numbered.
type stubLinks struct {
	base     string
	codeSize int
	minted   int
	err      error
}

func (l *stubLinks) Link(service string) (string, error) {
	if l.err != nil {
		return "", l.err
	}
	l.minted++
	return fmt.Sprintf("%s/i/%0*d", l.base, l.codeSize, l.minted), nil
}

func TestOutbox_WithInvitationsEveryTextCarriesItsOwnLink(t *testing.T) {
	s, _ := newTestStore(t)
	s.PeerSurveyAfter = 0 // peer-support texts go when the contact closes
	addPractitioner(t, s, "Dr A", Counsellor, 5, true)
	addPractitioner(t, s, "Dr P", PeerSupporter, 5, true)
	openAndClose(t, s, counsellingCaller())
	openAndClose(t, s, peerCaller())
	sender := &recordingSender{}
	o := newTestOutbox(t, s, sender, nil)
	links := &stubLinks{base: testBaseURL, codeSize: 20}
	if err := o.UseInvitations(links); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ProcessDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sender.sent) != 2 {
		t.Fatalf("%d texts sent, want 2", len(sender.sent))
	}
	seen := map[string]bool{}
	for _, m := range sender.sent {
		link, ok := strings.CutPrefix(m.text, "Thank you for contacting us. Tell us how it went in an anonymous survey: ")
		if !ok || !strings.HasPrefix(link, testBaseURL+"/i/") || seen[link] || strings.Contains(m.text, "/s/") {
			t.Errorf("text %q: want the invited wording and a link of its own", m.text)
		}
		seen[link] = true
		if n, ok := GSM7Length(m.text); !ok || n > MaxSegmentSeptets {
			t.Errorf("text %q is %d septets", m.text, n)
		}
	}
}

func TestOutbox_UseInvitationsRefusesLinksTooLongForOneSegment(t *testing.T) {
	s, _ := newTestStore(t)
	o := newTestOutbox(t, s, &recordingSender{}, nil)
	err := o.UseInvitations(&stubLinks{base: testBaseURL, codeSize: 60})
	if err == nil || !strings.Contains(err.Error(), "more than one 160-character segment") {
		t.Fatalf("UseInvitations with long links: %v", err)
	}
	boom := errors.New("no randomness")
	if err := o.UseInvitations(&stubLinks{err: boom}); !errors.Is(err, boom) {
		t.Fatalf("UseInvitations with failing links: %v", err)
	}
	if o.links != nil {
		t.Fatal("refused links are in use")
	}
}

func TestOutbox_ALinkThatCannotBeMintedIsRetriedNotSentPlain(t *testing.T) {
	s, clock := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 5, true)
	_, c := openAndClose(t, s, counsellingCaller())
	sender := &recordingSender{}
	o := newTestOutbox(t, s, sender, nil)
	links := &stubLinks{base: testBaseURL, codeSize: 20}
	if err := o.UseInvitations(links); err != nil {
		t.Fatal(err)
	}
	links.err = errors.New("no randomness")
	res, err := o.ProcessDue(context.Background())
	if err != nil || res.Retrying != 1 || len(sender.sent) != 0 {
		t.Fatalf("ProcessDue = %+v, %v; %d sent; want one retry and nothing sent", res, err, len(sender.sent))
	}
	links.err = nil
	clock.Advance(o.Backoff(1))
	if res, err := o.ProcessDue(context.Background()); err != nil || res.Sent != 1 {
		t.Fatalf("retry = %+v, %v", res, err)
	}
	if e, _ := outboxEntry(t, s, c.ID); e.Status != statusSent {
		t.Fatalf("entry %+v", e)
	}
}
