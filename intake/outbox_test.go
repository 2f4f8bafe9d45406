package intake

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

const testBaseURL = "https://feedback.example.org.uk"

// recordingSender stands in for a gateway: it records messages and fails with
// the errors it is given, one per call, then succeeds.
type recordingSender struct {
	mu    sync.Mutex
	sent  []sms
	fails []error
}

type sms struct{ to, text string }

func (r *recordingSender) Send(_ context.Context, to, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, sms{to, text})
	if len(r.fails) > 0 {
		err := r.fails[0]
		r.fails = r.fails[1:]
		return err
	}
	return nil
}

// invitations records what crosses the wall.
type invitations struct{ got []string }

func (i *invitations) CountInvitation(_ context.Context, service, day string) error {
	i.got = append(i.got, service+" "+day)
	return nil
}

func newTestOutbox(t *testing.T, s *Store, sender Sender, counter InvitationCounter) *Outbox {
	t.Helper()
	o, err := NewOutbox(s, sender, counter, testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	o.MaxAttempts, o.BaseBackoff, o.MaxBackoff = 3, time.Minute, time.Hour
	o.Logger = slog.New(slog.DiscardHandler)
	return o
}

func outboxEntry(t *testing.T, s *Store, contactID string) (OutboxEntry, bool) {
	t.Helper()
	var e OutboxEntry
	err := s.coll(collOutbox).FindOne(context.Background(), bson.D{{Key: "_id", Value: contactID}}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return e, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return e, true
}

// openAndClose opens a contact with n and closes it.
func openAndClose(t *testing.T, s *Store, n NewContact) (Opened, Contact) {
	t.Helper()
	o := mustOpen(t, s, n)
	c, err := s.CloseContact(context.Background(), o.Contact.ID, "listened; booked follow-up")
	if err != nil {
		t.Fatal(err)
	}
	return o, c
}

func process(t *testing.T, o *Outbox) Processed {
	t.Helper()
	res, err := o.ProcessDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOutbox_SendsOneTextDeletesTheNumberAndCountsTheInvitation(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	sender, counts := &recordingSender{}, &invitations{}
	ob := newTestOutbox(t, s, sender, counts)

	opened, closed := openAndClose(t, s, counsellingCaller())
	if closed.SurveyText != TextQueued {
		t.Fatalf("survey text %q, want queued", closed.SurveyText)
	}
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("processed %+v, want one sent", res)
	}
	want := sms{"+447700900123", SurveyText(testBaseURL, Counselling)}
	if len(sender.sent) != 1 || sender.sent[0] != want {
		t.Fatalf("sent %+v, want %+v", sender.sent, want)
	}
	e, ok := outboxEntry(t, s, opened.Contact.ID)
	if !ok || e.Status != statusSent || e.Phone != "" || e.FinishedAt == nil {
		t.Fatalf("entry after delivery %+v, want sent with no phone number", e)
	}
	if want := "counselling " + isoDay(0); len(counts.got) != 1 || counts.got[0] != want {
		t.Fatalf("invitations counted %v, want [%s]", counts.got, want)
	}

	// Closing again queues nothing and nothing more is sent.
	if _, err := s.CloseContact(ctx, opened.Contact.ID, "again"); !errors.Is(err, ErrAlreadyClosed) {
		t.Fatalf("second close: %v, want ErrAlreadyClosed", err)
	}
	clk.Advance(ob.KeepFinished)
	if res := process(t, ob); res.Sent != 0 || res.Removed != 1 {
		t.Fatalf("later run %+v, want nothing sent and the finished entry removed", res)
	}
	if _, ok := outboxEntry(t, s, opened.Contact.ID); ok {
		t.Fatal("finished entry still in the outbox")
	}
	if len(sender.sent) != 1 {
		t.Fatalf("%d texts sent, want 1", len(sender.sent))
	}
}

func TestOutbox_RetriesWithExponentialBackoffThenGivesUpAndDeletesTheNumber(t *testing.T) {
	s, clk := newTestStore(t)
	s.PeerSurveyAfter = 0 // peer-support texts go when the contact closes
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	outage := errors.New("gateway: HTTP 503")
	sender, counts := &recordingSender{fails: []error{outage, outage, outage}}, &invitations{}
	ob := newTestOutbox(t, s, sender, counts)
	opened, _ := openAndClose(t, s, peerCaller())
	id := opened.Contact.ID

	for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		if res := process(t, ob); res.Retrying != 1 {
			t.Fatalf("attempt %d: %+v, want a retry", attempt+1, res)
		}
		e, _ := outboxEntry(t, s, id)
		if !e.NextAttemptAt.Equal(clk.Now().Add(wait)) || e.Phone == "" || e.LastError != outage.Error() {
			t.Fatalf("attempt %d: next at %v, want %v (entry %+v)", attempt+1, e.NextAttemptAt, clk.Now().Add(wait), e)
		}
		clk.Advance(wait - time.Second)
		if res := process(t, ob); res != (Processed{}) {
			t.Fatalf("before the backoff ended: %+v, want nothing done", res)
		}
		clk.Advance(time.Second)
	}
	if res := process(t, ob); res.Failed != 1 {
		t.Fatalf("third attempt: %+v, want final failure", res)
	}
	e, _ := outboxEntry(t, s, id)
	if e.Status != statusFailed || e.Phone != "" || e.Attempts != 3 {
		t.Fatalf("after final failure %+v, want failed after 3 attempts with no phone number", e)
	}
	if len(sender.sent) != 3 || len(counts.got) != 0 {
		t.Fatalf("%d attempts, %d invitations counted; want 3 and 0", len(sender.sent), len(counts.got))
	}
}

func TestOutbox_BackoffDoublesUpToTheCap(t *testing.T) {
	ob := &Outbox{BaseBackoff: time.Minute, MaxBackoff: 10 * time.Minute}
	for failures, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 4: 8 * time.Minute, 5: 10 * time.Minute, 40: 10 * time.Minute} {
		if got := ob.Backoff(failures); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", failures, got, want)
		}
	}
}

func TestOutbox_PermanentFailureGivesUpAtOnce(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	sender := &recordingSender{fails: []error{&PermanentError{Err: errors.New("notify: HTTP 400 (ValidationError)")}}}
	ob := newTestOutbox(t, s, sender, nil)
	opened, _ := openAndClose(t, s, counsellingCaller())
	if res := process(t, ob); res.Failed != 1 {
		t.Fatalf("%+v, want failed", res)
	}
	if e, _ := outboxEntry(t, s, opened.Contact.ID); e.Phone != "" || e.Attempts != 1 {
		t.Fatalf("entry %+v, want one attempt and no phone number", e)
	}
}

func TestOutbox_AtMostOneTextPerPersonPer30Days(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, nil)

	// Two contacts closed before the outbox runs: both queued, one sent.
	first, _ := openAndClose(t, s, counsellingCaller())
	n := counsellingCaller()
	n.PersonID = first.Person.ID
	second, c2 := openAndClose(t, s, n)
	if c2.SurveyText != TextQueued {
		t.Fatalf("second close: %q", c2.SurveyText)
	}
	if res := process(t, ob); res.Sent != 1 || res.Suppressed != 1 {
		t.Fatalf("%+v, want one sent and one suppressed", res)
	}
	e1, _ := outboxEntry(t, s, first.Contact.ID)
	e2, _ := outboxEntry(t, s, second.Contact.ID)
	if e1.Status == e2.Status || e1.Phone != "" || e2.Phone != "" {
		t.Fatalf("entries %+v and %+v: want one sent, one suppressed, neither with a number", e1, e2)
	}

	// 29 days later: not queued at all.
	clk.Advance(29 * 24 * time.Hour)
	_, c3 := openAndClose(t, s, n)
	if c3.SurveyText != TextRecentlySent {
		t.Fatalf("29 days on: %q, want %q", c3.SurveyText, TextRecentlySent)
	}
	// 30 days after the text: queued and sent.
	clk.Advance(24 * time.Hour)
	_, c4 := openAndClose(t, s, n)
	if c4.SurveyText != TextQueued {
		t.Fatalf("30 days on: %q, want queued", c4.SurveyText)
	}
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("%+v, want one sent", res)
	}
	p, _ := s.Person(ctx, first.Person.ID)
	if p.LastTextedAt == nil || !p.LastTextedAt.Equal(clk.Now()) {
		t.Fatalf("last texted %v, want %v", p.LastTextedAt, clk.Now())
	}
	if len(sender.sent) != 2 {
		t.Fatalf("%d texts, want 2", len(sender.sent))
	}
}

func TestCloseContact_QueuesNothingWithoutAgreementOrAMobile(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	n.FeedbackAgreed = false
	o1, c1 := openAndClose(t, s, n)
	landline := counsellingCaller()
	landline.Phone, landline.NewPerson = "020 7946 0000", true
	o2, c2 := openAndClose(t, s, landline)
	if c1.SurveyText != TextNotAgreed || c2.SurveyText != TextNoMobile {
		t.Fatalf("survey text %q and %q, want not-agreed and no-mobile", c1.SurveyText, c2.SurveyText)
	}
	for _, id := range []string{o1.Contact.ID, o2.Contact.ID} {
		if _, ok := outboxEntry(t, s, id); ok {
			t.Fatal("an entry was queued")
		}
	}
}

func TestOutbox_NeverSendsAContactTwice(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, nil)
	o := mustOpen(t, s, counsellingCaller())
	c, _ := s.Contact(ctx, o.Contact.ID)

	// Queuing the same contact again is absorbed by the unique _id.
	for range 2 {
		if err := s.queueText(ctx, c, Person{Phone: "+447700900123"}, clk.Now(), clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.coll(collOutbox).CountDocuments(ctx, bson.D{}); n != 1 {
		t.Fatalf("%d entries for one contact, want 1", n)
	}

	// A send interrupted by a crash (left "sending") is given up, not repeated.
	_, err := s.coll(collOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: statusSending}, {Key: "updated_at", Value: clk.Now()}}}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(2*ob.SendTimeout + time.Second)
	process(t, ob)
	e, _ := outboxEntry(t, s, c.ID)
	if len(sender.sent) != 0 || e.Status != statusFailed || e.Phone != "" {
		t.Fatalf("after an interrupted send: %d sent, entry %+v; want none sent, failed, no number", len(sender.sent), e)
	}
}

func TestOutbox_RunStopsWithItsContext(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, nil)
	ob.Interval = 10 * time.Millisecond
	openAndClose(t, s, counsellingCaller())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ob.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sender.mu.Lock()
		n := len(sender.sent)
		sender.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run sent nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}
