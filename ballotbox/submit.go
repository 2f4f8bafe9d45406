package ballotbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/feedback-service/feedback/survey"
)

// Outcome says what became of a submission.
type Outcome int

// Outcomes of Submit.
const (
	// Stored: the response is now durably stored.
	Stored Outcome = iota + 1
	// AlreadyReceived: a response from this same form was stored before (a
	// retry or a replay); nothing new was stored.
	AlreadyReceived
)

// ErrUnavailable means the response could not be stored just now; it was not
// acknowledged, and submitting the same form again is safe.
var ErrUnavailable = errors.New("responses cannot be stored just now")

const (
	maxBatch = 256
	// defaultGather is how long the committer waits for more submissions
	// before inserting a batch. Measured under 16 phones: 2 ms cut the server's
	// CPU per response by a third and raised the rate by a quarter; 5 ms saved
	// a little more CPU but lowered the rate.
	defaultGather = 2 * time.Millisecond
	commitTimeout = 10 * time.Second
)

// Responses takes survey submissions and stores each as a sealed ballot. One
// committer goroutine takes submissions in batches and inserts each batch with
// one insertMany into its box's collection of the hour, then the batch's _ids
// with one more into the box's guard (see collections.go); a request is
// acknowledged as soon as its ballot is stored. Nothing else is written for a
// submission: responses, counters and comments are written only when a month's
// ballots are released (see Release), at least K at a time and shuffled. (With
// one writer at a time SQLite is fastest: parallel committers were slower.)
type Responses struct {
	db       *mongo.Database
	wc       *options.CollectionOptionsBuilder // majority, journaled: every ballot and guard write
	keys     *Keys
	boxes    *boxes
	sealer   *Sealer
	now      func() time.Time
	log      *slog.Logger
	observer Observer
	invites  Invitations
	tokens   TokenVerifier
	comments CommentCheck

	mu     sync.RWMutex // guards closed and sends on queue
	closed bool
	queue  chan *pending
	gather time.Duration
	done   chan struct{}
}

type pending struct {
	id         string // the ballot's _id, derived from the form's nonce
	issued     string // the month the form's nonce was issued in, if it is not the token's
	def        *survey.Definition
	answer     survey.Answers
	verified   bool
	flags      commentFlags // what the check of its comments found
	invitation string       // the invitation the form came from, spent when stored
	token      []byte       // the prepared message of the form's blind token, spent when stored
	result     chan error   // nil: stored; errDuplicate: already there
}

var errDuplicate = errors.New("duplicate")

// Options configures Responses.
type Options struct {
	// Sealer seals ballots; required.
	Sealer *Sealer
	// Invitations spends the invitations forms came from; nil: a form's
	// invitation is ignored and its response is open.
	Invitations Invitations
	Now         func() time.Time // defaults to time.Now
	Logger      *slog.Logger     // for store errors, never with request details
	// Observer is told what each commit did, for metrics; nil tells nobody.
	Observer Observer
	// Tokens checks the blindly signed tokens forms may carry instead of an
	// invitation; nil: a token is refused as not valid.
	Tokens TokenVerifier
	// Comments reads every comment before it is sealed (comments.go); nil
	// means the built-in lists.
	Comments CommentCheck
}

// Invitations spends single-use invitations. SpendAll spends codes[i] for
// services[i] and says for each whether it was good and unspent (nil) or not;
// it returns an error, spending nothing it can vouch for, when the store
// cannot be reached.
type Invitations interface {
	SpendAll(ctx context.Context, services, codes []string) ([]error, error)
}

// Observer hears what the committer did: how long each batch took, and how
// many responses of each service it stored. It learns nothing a response says,
// and nothing stored gains a finer time because of it.
type Observer interface {
	BatchCommitted(d time.Duration, err error)
	ResponsesStored(service string, n int)
}

// NewResponses starts the committer for the survey database db.
func NewResponses(db *mongo.Database, opts Options) *Responses {
	if opts.Sealer == nil {
		panic("survey.NewResponses: no Sealer")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Comments == nil {
		check, err := builtInCheck()
		if err != nil {
			panic("ballotbox.NewResponses: the built-in comment lists: " + err.Error())
		}
		opts.Comments = check
	}
	journaled := true
	wc := &writeconcern.WriteConcern{W: "majority", Journal: &journaled}
	r := &Responses{
		db:       db,
		wc:       options.Collection().SetWriteConcern(wc),
		keys:     NewKeys(db, opts.Now),
		boxes:    newBoxes(db, opts.Sealer),
		sealer:   opts.Sealer,
		now:      opts.Now,
		log:      opts.Logger,
		observer: opts.Observer,
		invites:  opts.Invitations,
		tokens:   opts.Tokens,
		comments: opts.Comments,
		queue:    make(chan *pending, 4*maxBatch),
		gather:   defaultGather,
		done:     make(chan struct{}),
	}
	go func() {
		r.run()
		close(r.done)
	}()
	return r
}

// Keys returns the nonce keys forms are issued with.
func (r *Responses) Keys() *Keys { return r.keys }

// Submit stores validated answers to d that came with the form's nonce, as a
// sealed ballot. The ballot's _id derives from the nonce, so the same form is
// stored once however often it is sent.
func (r *Responses) Submit(ctx context.Context, d *survey.Definition, nonce string, answers survey.Answers) (Outcome, error) {
	return r.SubmitInvited(ctx, d, nonce, "", answers)
}

// SubmitInvited is Submit for a form that came from a single-use invitation:
// the invitation is spent as the response is stored, which is then verified;
// an invitation already used, expired or altered leaves the response open.
// Spending at submission, not when the link is opened, lets a link preview or
// a reload open the form without using the invitation up.
func (r *Responses) SubmitInvited(ctx context.Context, d *survey.Definition, nonce, invitation string, answers survey.Answers) (Outcome, error) {
	outcome, _, err := r.submitInvited(ctx, d, nonce, invitation, answers, "")
	return outcome, err
}

// submitInvited is SubmitInvited with the page's language, for the check of
// the comments; it also says whether a comment spoke of risk.
func (r *Responses) submitInvited(ctx context.Context, d *survey.Definition, nonce, invitation string, answers survey.Answers, lang string) (Outcome, bool, error) {
	id, verified, err := r.keys.Check(ctx, d.Service, nonce)
	if err != nil {
		if errors.Is(err, ErrNonce) {
			return 0, false, ErrNonce
		}
		return 0, false, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	answers, flags := readComments(r.comments, d, answers, lang)
	p := &pending{id: id, issued: issuedMonth(nonce), def: d, answer: answers, verified: verified, flags: flags, invitation: invitation, result: make(chan error, 1)}
	outcome, err := r.enqueue(ctx, p)
	return outcome, flags.safeguarding, err
}

// enqueue hands p to the committer and waits for its verdict.
func (r *Responses) enqueue(ctx context.Context, p *pending) (Outcome, error) {
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return 0, ErrUnavailable
	}
	select {
	case r.queue <- p:
	case <-ctx.Done():
		r.mu.RUnlock()
		return 0, fmt.Errorf("%w: %v", ErrUnavailable, ctx.Err())
	}
	r.mu.RUnlock()

	// Once queued the response will be committed or refused as a whole; wait for
	// the verdict even if the client has gone, so the outcome is never guessed.
	if err := <-p.result; err != nil {
		if errors.Is(err, errDuplicate) {
			return AlreadyReceived, nil
		}
		return 0, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return Stored, nil
}

// Close stops taking submissions, commits those already queued and returns
// once the committer has finished.
func (r *Responses) Close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	<-r.done
}

func (r *Responses) run() {
	batch := make([]*pending, 0, maxBatch)
	gather := time.NewTimer(0)
	<-gather.C
	for p := range r.queue {
		batch = append(batch[:0], p)
		// Gather for a moment: each insert has a fixed cost, so a few
		// milliseconds' wait under load buys much larger batches.
		gather.Reset(r.gather)
	drain:
		for len(batch) < maxBatch {
			select {
			case q, ok := <-r.queue:
				if !ok {
					break drain
				}
				batch = append(batch, q)
			case <-gather.C:
				break drain
			}
		}
		if !gather.Stop() {
			select {
			case <-gather.C:
			default:
			}
		}
		r.commit(batch)
	}
}

// commit seals and stores one batch and answers every request in it.
// Complexity: the batch's steps in order (spend, seal, insert, answer), any
// failure refusing the whole batch; kept as one so the order reads top to bottom.
func (r *Responses) commit(batch []*pending) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	results := make([]error, len(batch))
	if err := r.spendInvitations(ctx, batch); err != nil {
		r.log.Error("spend invitations", "err", err, "batch", len(batch))
		for _, p := range batch {
			p.result <- err
		}
		return
	}
	sealed, err := r.seal(ctx, batch)
	if err != nil {
		r.log.Error("seal survey responses", "err", err, "batch", len(batch))
		for _, p := range batch {
			p.result <- err
		}
		return
	}
	hour := r.db.Collection(hourCollection(sealed.box, sealed.hour), r.wc)
	start := time.Now()
	_, err = hour.InsertMany(ctx, sealed.docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	refused := err != nil && (!errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0)
	if r.observer != nil {
		var failed error
		if refused {
			failed = err
		}
		r.observer.BatchCommitted(time.Since(start), failed)
	}
	if refused {
		// Which ballots landed is unknown: refuse them all. A retry of the same
		// form is safe, since its _id makes a second copy impossible.
		r.log.Error("store survey ballots", "err", err, "batch", len(batch))
		for _, p := range batch {
			p.result <- err
		}
		return
	}
	if err != nil {
		for _, we := range bwe.WriteErrors {
			if we.Index < 0 || we.Index >= len(sealed.order) {
				continue
			}
			if we.Code == 11000 {
				results[sealed.order[we.Index]] = errDuplicate
			} else {
				results[sealed.order[we.Index]] = fmt.Errorf("insert ballot: code %d", we.Code)
			}
		}
	}
	r.guard(ctx, hour, sealed.box, batch, results)
	for i, p := range batch {
		p.result <- results[i]
	}
	r.countStored(batch, results)
}

// spendInvitations spends the batch's blind tokens and then its invitations,
// one call each, and marks verified the responses whose token or invitation
// was good and unspent. A response
// refused later (a replay of its form) has still spent its invitation: the
// same person, sending the same form again.
func (r *Responses) spendInvitations(ctx context.Context, batch []*pending) error {
	if err := r.spendTokens(ctx, batch); err != nil {
		return err
	}
	if r.invites == nil {
		return nil
	}
	var services, codes []string
	var which []*pending
	for _, p := range batch {
		if p.invitation != "" {
			services, codes, which = append(services, p.def.Service), append(codes, p.invitation), append(which, p)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	errs, err := r.invites.SpendAll(ctx, services, codes)
	if err != nil {
		return err
	}
	for i, p := range which {
		if i < len(errs) && errs[i] == nil {
			p.verified = true
		}
	}
	return nil
}

func (r *Responses) countStored(batch []*pending, results []error) {
	if r.observer == nil {
		return
	}
	stored := map[string]int{}
	for i, p := range batch {
		if results[i] == nil {
			stored[p.def.Service]++
		}
	}
	for service, n := range stored {
		r.observer.ResponsesStored(service, n)
	}
}
