package intake

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
)

// InvitationCounter receives the only figure that leaves intake: one survey
// text was sent for service (counselling or peer-support) on day (YYYY-MM-DD).
// The survey side implements it to compute response rates.
type InvitationCounter interface {
	CountInvitation(ctx context.Context, service string, day string) error
}

// InvitationLinks mints a fresh single-use survey link for service (counselling
// or peer-support). The link proves only "somebody we texted"; intake passes it
// to the gateway and keeps no copy. cmd/feedback wires invitation.Codes to it.
type InvitationLinks interface {
	Link(service string) (string, error)
}

// Outbox entry states. Finished entries (sent, failed, suppressed) have no
// phone number and no e-mail address.
const (
	statusPending    = "pending"
	statusSending    = "sending"
	statusSent       = "sent"
	statusFailed     = "failed"
	statusSuppressed = "suppressed"
)

// OutboxEntry is one survey invitation waiting to be sent, by text or, when
// Email is set, by e-mail. Its _id is the contact's, so a contact can never be
// queued twice. It holds the number or address only until the invitation is
// sent or given up, and is deleted soon after.
type OutboxEntry struct {
	ContactID string      `bson:"_id" json:"contact_id"`
	PersonID  string      `bson:"person_id" json:"person_id"`
	Service   ServiceType `bson:"service" json:"service"`
	Language  Language    `bson:"language,omitempty" json:"language,omitempty"`
	// Neutral: the text does not say what the service is (a shared phone).
	Neutral       bool      `bson:"neutral,omitempty" json:"neutral,omitempty"`
	Phone         string    `bson:"phone,omitempty" json:"phone,omitempty"`
	Email         string    `bson:"email,omitempty" json:"email,omitempty"`
	Status        string    `bson:"status" json:"status"`
	Attempts      int       `bson:"attempts" json:"attempts"`
	NextAttemptAt time.Time `bson:"next_attempt_at" json:"next_attempt_at"`
	// PersonClaimed is set once the person's 30-day slot is taken for this text.
	PersonClaimed bool       `bson:"person_claimed" json:"-"`
	LastError     string     `bson:"last_error,omitempty" json:"last_error,omitempty"`
	CreatedAt     time.Time  `bson:"created_at" json:"created_at"`
	UpdatedAt     time.Time  `bson:"updated_at" json:"updated_at"`
	FinishedAt    *time.Time `bson:"finished_at,omitempty" json:"finished_at,omitempty"`
}

// queueText puts a contact's survey invitation in the outbox, to go at due:
// by e-mail when the caller agreed to that (see invitationByEmail), else by text.
func (s *Store) queueText(ctx context.Context, c Contact, p Person, now, due time.Time) error {
	e := OutboxEntry{ContactID: c.ID, PersonID: c.PersonID, Service: c.Service, Language: c.Language, Neutral: c.NeutralText, Phone: p.Phone,
		Status: statusPending, NextAttemptAt: due, CreatedAt: now, UpdatedAt: now}
	if s.invitationByEmail(c, p) {
		e.Phone, e.Email = "", p.Email
	}
	_, err := s.coll(collOutbox).InsertOne(ctx, e)
	if err != nil && !store.IsDuplicateKey(err) {
		return fmt.Errorf("queue survey text: %w", err)
	}
	return nil
}

// Outbox sends queued survey texts. It reads its collection on a timer, never per
// request, and sends each contact's text at most once: an entry is marked
// "sending" before the gateway is called, and one found still sending after a
// crash is given up rather than sent again.
type Outbox struct {
	store   *Store
	sender  Sender
	email   EmailSender // nil: no invitations by e-mail
	counter InvitationCounter
	baseURL string
	links   InvitationLinks // nil: texts carry the plain service link

	// Interval between runs of ProcessDue in Run.
	Interval time.Duration
	// MaxAttempts to send one text before giving up.
	MaxAttempts int
	// BaseBackoff is the wait after the first failure; it doubles after each
	// further failure, up to MaxBackoff.
	BaseBackoff, MaxBackoff time.Duration
	// SendTimeout bounds one call to the gateway; an entry left "sending" for
	// twice as long (a crash) is given up.
	SendTimeout time.Duration
	// KeepFinished is how long finished entries (without their numbers) are kept
	// for diagnosis before they are deleted.
	KeepFinished time.Duration
	// Batch is the most entries one ProcessDue sends.
	Batch  int
	Logger *slog.Logger
	// Processed, when set, hears what each run of Run did (for metrics).
	Processed func(Processed)
}

// NewOutbox returns an outbox sending through sender, publishing counts to
// counter (may be nil), with survey links on baseURL, which is checked.
func NewOutbox(s *Store, sender Sender, counter InvitationCounter, baseURL string) (*Outbox, error) {
	if err := CheckSurveyText(baseURL); err != nil {
		return nil, err
	}
	return &Outbox{store: s, sender: sender, counter: counter, baseURL: baseURL,
		Interval: 30 * time.Second, MaxAttempts: 6, BaseBackoff: time.Minute, MaxBackoff: 6 * time.Hour,
		SendTimeout: 30 * time.Second, KeepFinished: 24 * time.Hour, Batch: 50, Logger: slog.Default()}, nil
}

// UseInvitations puts a fresh single-use link from links into every survey
// text, in place of the plain service link. It mints a link for each service
// and refuses, before any text goes, links that would not fit one segment.
func (o *Outbox) UseInvitations(links InvitationLinks) error {
	for _, v := range o.store.Services.All() {
		service := v.Type
		link, err := links.Link(string(service))
		if err != nil {
			return fmt.Errorf("invitation link for %s: %w", service, err)
		}
		for _, lang := range []Language{English, Welsh} {
			if err := checkSegment(service, InvitedSurveyTextIn(link, lang)); err != nil {
				return err
			}
		}
	}
	o.links = links
	return nil
}

// UseServices sets the service types contacts may be for (see Services.Set),
// refusing, before any text goes, a service whose survey text would not fit
// one SMS segment on this outbox's base URL: its name is too long for it.
func (o *Outbox) UseServices(list []Service) error {
	for _, v := range list {
		if err := o.CheckService(string(v.Type)); err != nil {
			return err
		}
	}
	return o.store.Services.Set(list)
}

// CheckService says whether a service named name could be added: whether its
// survey text fits one SMS segment on this outbox's base URL.
func (o *Outbox) CheckService(name string) error {
	for _, lang := range []Language{English, Welsh} {
		if err := checkSegment(ServiceType(name), SurveyTextIn(o.baseURL, ServiceType(name), lang)); err != nil {
			return fmt.Errorf("service %q: its name is too long for the survey text: %w", name, err)
		}
	}
	return nil
}

// Backoff is the wait after the given number of failed attempts (1, 2, ...).
func (o *Outbox) Backoff(failures int) time.Duration {
	d := o.BaseBackoff
	for i := 1; i < failures && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}

// Run processes the outbox every Interval until ctx ends.
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	for {
		o.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce processes what is due once, logs what it did and reports it to
// Processed. A scheduler calls it every Interval.
func (o *Outbox) RunOnce(ctx context.Context) {
	res, err := o.ProcessDue(ctx)
	if err != nil && ctx.Err() == nil {
		o.Logger.ErrorContext(ctx, "survey text outbox", "err", err)
	} else if res != (Processed{}) {
		o.Logger.InfoContext(ctx, "survey text outbox", "sent", res.Sent, "retrying", res.Retrying,
			"failed", res.Failed, "suppressed", res.Suppressed, "removed", res.Removed)
	}
	if o.Processed != nil {
		o.Processed(res) // partial counts too: a run that failed half-way did send some
	}
}

// Processed counts what one ProcessDue did.
type Processed struct {
	Sent, Retrying, Failed, Suppressed int
	// Removed is how many finished entries were deleted.
	Removed int
}

// ProcessDue gives up entries stuck in sending, deletes old finished entries,
// and sends the texts that are due.
func (o *Outbox) ProcessDue(ctx context.Context) (Processed, error) {
	var res Processed
	coll := o.store.coll(collOutbox)
	now := o.store.now()
	_, err := coll.UpdateMany(ctx,
		bson.D{{Key: "status", Value: statusSending}, {Key: "updated_at", Value: bson.D{{Key: "$lt", Value: now.Add(-2 * o.SendTimeout)}}}},
		finishUpdate(statusFailed, "outcome unknown after an interrupted send; not retried", now))
	if err != nil {
		return res, fmt.Errorf("outbox: give up interrupted sends: %w", err)
	}
	del, err := coll.DeleteMany(ctx, bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{statusSent, statusFailed, statusSuppressed}}}},
		{Key: "finished_at", Value: bson.D{{Key: "$lte", Value: now.Add(-o.KeepFinished)}}},
	})
	if err != nil {
		return res, fmt.Errorf("outbox: remove finished: %w", err)
	}
	res.Removed = int(del.DeletedCount)

	cur, err := coll.Find(ctx,
		bson.D{{Key: "status", Value: statusPending}, {Key: "next_attempt_at", Value: bson.D{{Key: "$lte", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(o.Batch)))
	if err != nil {
		return res, fmt.Errorf("outbox: read due: %w", err)
	}
	var due []OutboxEntry
	if err := cur.All(ctx, &due); err != nil {
		return res, fmt.Errorf("outbox: read due: %w", err)
	}
	for _, e := range due {
		status, err := o.process(ctx, e)
		if err != nil {
			return res, err
		}
		switch status {
		case statusSent:
			res.Sent++
		case statusPending:
			res.Retrying++
		case statusFailed:
			res.Failed++
		case statusSuppressed:
			res.Suppressed++
		}
	}
	return res, nil
}

// Depth counts the texts waiting to be sent or being sent. The outbox
// collection holds at most a day of finished entries, so the count stays cheap.
func (o *Outbox) Depth(ctx context.Context) (int64, error) {
	n, err := o.store.coll(collOutbox).CountDocuments(ctx,
		bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{statusPending, statusSending}}}}})
	if err != nil {
		return 0, fmt.Errorf("outbox: count waiting: %w", err)
	}
	return n, nil
}

// finishUpdate ends an entry and deletes its phone number or e-mail address.
func finishUpdate(status, lastError string, now time.Time) bson.D {
	set := bson.D{{Key: "status", Value: status}, {Key: "finished_at", Value: now}, {Key: "updated_at", Value: now}}
	if lastError != "" {
		set = append(set, bson.E{Key: "last_error", Value: lastError})
	}
	return bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: "phone", Value: ""}, {Key: "email", Value: ""}}}}
}

// process sends one entry and returns the status it was left in ("" when
// another worker took it first).
func (o *Outbox) process(ctx context.Context, e OutboxEntry) (string, error) {
	coll := o.store.coll(collOutbox)
	now := o.store.now()
	byID := bson.D{{Key: "_id", Value: e.ContactID}}
	// Take the entry: only one worker moves it from pending, and only once per attempt.
	took, err := coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: e.ContactID}, {Key: "status", Value: statusPending}, {Key: "attempts", Value: e.Attempts}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: statusSending}, {Key: "updated_at", Value: now}}}, {Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}})
	if err != nil {
		return "", fmt.Errorf("outbox: take entry: %w", err)
	}
	if took.MatchedCount == 0 {
		return "", nil
	}
	if !e.PersonClaimed {
		settings, err := o.store.Settings(ctx)
		if err != nil {
			return "", fmt.Errorf("outbox: %w", err)
		}
		ok, err := o.claimPerson(ctx, e.PersonID, now, settings.TextInterval())
		if err != nil {
			return "", err
		}
		if !ok {
			_, err := coll.UpdateOne(ctx, byID, finishUpdate(statusSuppressed, "", now))
			return statusSuppressed, wrap("outbox: suppress", err)
		}
	}

	sendErr := o.send(ctx, e)
	now = o.store.now()
	attempts := e.Attempts + 1
	switch {
	case sendErr == nil:
		if _, err := coll.UpdateOne(ctx, byID, finishUpdate(statusSent, "", now)); err != nil {
			return "", fmt.Errorf("outbox: mark sent: %w", err)
		}
		o.countInvitation(ctx, e.Service, now)
		return statusSent, nil
	case IsPermanent(sendErr) || attempts >= o.MaxAttempts:
		_, err := coll.UpdateOne(ctx, byID, finishUpdate(statusFailed, sendErr.Error(), now))
		return statusFailed, wrap("outbox: mark failed", err)
	default:
		_, err := coll.UpdateOne(ctx, byID, bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: statusPending}, {Key: "person_claimed", Value: true},
			{Key: "next_attempt_at", Value: now.Add(o.Backoff(attempts))},
			{Key: "last_error", Value: sendErr.Error()}, {Key: "updated_at", Value: now},
		}}})
		return statusPending, wrap("outbox: schedule retry", err)
	}
}

// send texts or e-mails e's survey link, a fresh invitation link when
// invitations are on. A link that cannot be minted fails the attempt, to be retried.
func (o *Outbox) send(ctx context.Context, e OutboxEntry) error {
	link, text := SurveyLink(o.baseURL, e.Service), SurveyTextIn(o.baseURL, e.Service, e.Language)
	if o.links != nil {
		var err error
		if link, err = o.links.Link(string(e.Service)); err != nil {
			return fmt.Errorf("invitation link: %w", err)
		}
		text = InvitedSurveyTextIn(link, e.Language)
	}
	if e.Neutral {
		text = NeutralSurveyTextIn(link, e.Language)
	}
	ctx, cancel := context.WithTimeout(ctx, o.SendTimeout)
	defer cancel()
	if e.Email != "" {
		return o.sendEmail(ctx, e, link)
	}
	return o.sender.Send(ctx, e.Phone, text)
}

// claimPerson takes the person's slot: it succeeds only when they have had no
// survey text in the last interval (30 days unless an admin changed it) and have no open risk flag. The slot stays taken if the text
// then fails: fewer texts, never more.
func (o *Outbox) claimPerson(ctx context.Context, personID string, now time.Time, interval time.Duration) (bool, error) {
	res, err := o.store.coll(collPeople).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: personID}, {Key: "$and", Value: bson.A{
			bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: "last_texted_at", Value: bson.D{{Key: "$exists", Value: false}}}},
				bson.D{{Key: "last_texted_at", Value: bson.D{{Key: "$lte", Value: now.Add(-interval)}}}},
			}}},
			// No text while any of the person's risk flags is open.
			bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: "risk_open", Value: bson.D{{Key: "$exists", Value: false}}}},
				bson.D{{Key: "risk_open", Value: bson.D{{Key: "$size", Value: 0}}}},
			}}},
		}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_texted_at", Value: now}}}})
	if err != nil {
		return false, fmt.Errorf("outbox: claim person: %w", err)
	}
	return res.MatchedCount == 1, nil
}

// countInvitation publishes service and day, nothing else. A failure loses one
// count but must not resend the text, so it is logged, not retried.
func (o *Outbox) countInvitation(ctx context.Context, service ServiceType, now time.Time) {
	if o.counter == nil {
		return
	}
	day := now.In(o.store.Location).Format(time.DateOnly)
	if err := o.counter.CountInvitation(ctx, string(service), day); err != nil {
		o.Logger.ErrorContext(ctx, "count survey invitation", "service", service, "day", day, "err", err)
	}
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
