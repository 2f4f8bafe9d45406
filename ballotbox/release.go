package ballotbox

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/survey"
)

// A release opens the sealed ballots of one closed month and writes them as
// responses, counters and comments, at least K of each (service, verified or
// open) group at a time, in an order unrelated to their arrival; then it deletes
// the ballots and destroys the box key. A group still under K when its month is
// released is carried: resealed into the current month's box, to be released
// (and counted) with that month. Every write of a release is idempotent (the
// _ids derive from the box key and the ballot), so a release cut short at any
// point and run again gives every response, counter and comment exactly once.

// releasesCollection records the months whose release has written everything;
// one tiny document a month, no figures.
const releasesCollection = "releases"

// DefaultReleaseGrace is how long after a month ends its box is released: a
// form issued on the month's last day may be sent until the end of the next
// day, and its ballot must still be in the box to catch a replay.
const DefaultReleaseGrace = 36 * time.Hour

// ReleaseOptions configures a Releaser.
type ReleaseOptions struct {
	Sealer *Sealer // required, with the keyring the boxes were made with
	K      int     // the fewest responses a group releases with; required
	// OpenK is the fewest open responses (those that came through no
	// invitation, so anyone can add to them) a group releases with: 0 means
	// DefaultOpenFactor×K. Open groups are released by quarter only.
	OpenK int
	// OpenByMonth releases open groups monthly, with OpenK: for tests of
	// other things than this rule, whose open answers fall in any month. Never
	// set by the service.
	OpenByMonth bool
	// Archive holds earlier survey versions, so their answers are counted with
	// the questions they were asked with.
	Archive []*survey.Definition
	Grace   time.Duration // 0 means DefaultReleaseGrace
	Now     func() time.Time
	Logger  *slog.Logger
	// Holder names this process in the release lease.
	Holder string
	// Responses, if set, are this process's submissions: they forget a box's
	// key when it is released, so a box made again for the same month (a clock
	// set back) gets a key of its own.
	Responses *Responses
	// Progress, if set, hears each step of a box's release: "opened" (n
	// ballots), "written" (n responses of one group), "carried" (n ballots)
	// and "done".
	Progress func(box, step string, n int)
	// TakeLease takes the release lease even from another holder: for an
	// operator who knows the process holding it has stopped.
	TakeLease bool
	// AfterRelease, if set, runs after each box is released (the embedded store
	// checkpoints and truncates its write-ahead log there).
	AfterRelease func(ctx context.Context) error
	// MixWait is how long a mix waits between recording the hours it takes
	// (and so the first hour writers must write into) and reading them: long
	// enough for every instance to have read that again and finished a commit
	// under way. 0 means DefaultMixWait; a negative value, none (a test whose
	// only writer shares the releaser's clock).
	MixWait time.Duration
}

// DefaultOpenFactor is how many times K an open group needs: anyone can send
// open answers, so a small open group could be padded out of hiding by one
// sender's own answers around one real person's.
const DefaultOpenFactor = 5

// DefaultMixWait is writerRefresh and a commit's timeout: an instance whose
// clock is more than MixGrace behind has, by then, moved on past the hours
// being mixed.
const DefaultMixWait = writerRefresh + commitTimeout

// Releaser releases closed months' ballots.
type Releaser struct {
	db    *mongo.Database
	cat   *survey.Catalogue
	defs  map[string]*survey.Definition
	boxes *boxes
	opts  ReleaseOptions
	// busy keeps this process's releases and mixes one at a time: the lease
	// keeps other instances out, not this one's other job.
	busy      sync.Mutex
	renewing  func() // stops renewing the lease; guarded by busy
	afterRead func() // tests: runs once a mix has read the hours it takes
}

// ReleaseReport says what one box's release did.
type ReleaseReport struct {
	Box       string
	Ballots   int // opened
	Responses int // written as responses
	Carried   int // resealed into the current box: their group was under K
}

// NewReleaser returns a releaser for the survey database db.
func NewReleaser(db *mongo.Database, cat *survey.Catalogue, opts ReleaseOptions) (*Releaser, error) {
	if opts.Sealer == nil || opts.Sealer.ring == nil || opts.K <= 0 {
		return nil, errors.New("ballotbox.NewReleaser: a Sealer with a keyring, and K, are required")
	}
	if opts.Grace <= 0 {
		opts.Grace = DefaultReleaseGrace
	}
	if opts.OpenK < opts.K {
		opts.OpenK = DefaultOpenFactor * opts.K
	}
	if opts.MixWait == 0 {
		opts.MixWait = DefaultMixWait
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Holder == "" {
		opts.Holder = survey.NewID()
	}
	defs := map[string]*survey.Definition{}
	for _, d := range append(cat.All(), opts.Archive...) {
		defs[d.Service+"|"+d.Version] = d
	}
	return &Releaser{db: db, cat: cat, defs: defs, boxes: newBoxes(db, opts.Sealer), opts: opts}, nil
}

// Due lists the boxes whose month ended more than the grace period ago.
func (r *Releaser) Due(ctx context.Context) ([]string, error) {
	boxes, err := PendingBoxes(ctx, r.db)
	if err != nil {
		return nil, err
	}
	now := r.opts.Now().UTC()
	var due []string
	for _, b := range boxes {
		start, err := time.Parse(survey.MonthLayout, b)
		if err != nil {
			continue
		}
		if !now.Before(start.AddDate(0, 1, 0).Add(r.opts.Grace)) {
			due = append(due, b)
		}
	}
	return due, nil
}

// ReleaseDue releases every due box, oldest first, under the release lease
// so that one instance releases a box while the others wait. It returns what
// it released, and ErrLeaseHeld when another process holds the lease.
func (r *Releaser) ReleaseDue(ctx context.Context) ([]ReleaseReport, error) {
	r.busy.Lock()
	defer r.busy.Unlock()
	due, err := r.Due(ctx)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	held, err := r.lease(ctx)
	if err != nil {
		return nil, err
	}
	if !held {
		return nil, fmt.Errorf("%w (for at most %s after it was taken)", ErrLeaseHeld, leaseFor)
	}
	defer r.unlease()
	var reports []ReleaseReport
	for _, box := range due {
		rep, err := r.Release(ctx, box)
		if err != nil {
			return reports, err
		}
		reports = append(reports, *rep)
	}
	return reports, nil
}

// Release releases one box. It is safe to run again after any interruption,
// and a no-op for a box already released.
func (r *Releaser) Release(ctx context.Context, box string) (*ReleaseReport, error) {
	ctx, cancel := longRunning(ctx)
	defer cancel()
	rep := &ReleaseReport{Box: box}
	op, err := r.boxes.opener(ctx, box)
	var key []byte
	if err == nil {
		key, err = r.releaseKey(ctx, box)
	}
	if err != nil {
		if _, gone := r.boxes.read(ctx, box); errors.Is(gone, errNoBox) {
			return rep, r.releasedBefore(ctx, box) // by another process, just now
		}
		return nil, err
	}
	// The record's _id derives from the box's private key: a box created
	// again for a released month (a clock set back) is released afresh.
	record := box + "|" + derivedID(key, "release")[:12]
	written, err := r.written(ctx, record)
	if err != nil {
		return nil, err
	}
	if !written {
		// A mix cut short is settled first, so no ballot is read twice.
		if _, err := r.settleMix(ctx, box); err != nil {
			return nil, err
		}
		if err := r.write(ctx, box, op, key, record, rep); err != nil {
			return nil, err
		}
	}
	// Everything is written: now the ballots and the key may go.
	if err := r.dropBox(ctx, box); err != nil {
		return nil, err
	}
	if err := r.boxes.destroy(ctx, box); err != nil {
		return nil, err
	}
	if r.opts.Responses != nil {
		r.opts.Responses.boxes.forget(box)
	}
	r.progress(box, "done", rep.Responses)
	if r.opts.AfterRelease != nil {
		if err := r.opts.AfterRelease(ctx); err != nil {
			return nil, fmt.Errorf("after releasing %s: %w", box, err)
		}
	}
	return rep, nil
}

// releasedBefore finishes a box released before: its key is gone, and so
// must its ballots be.
func (r *Releaser) releasedBefore(ctx context.Context, box string) error {
	cols, err := collectionsOf(ctx, r.db, box)
	if err != nil {
		return err
	}
	if len(cols.hours)+len(cols.gens) > 0 {
		return fmt.Errorf("ballots of %s remain but its key is gone: were they sealed by an instance whose clock is wrong?", box)
	}
	if err := dropCollections(ctx, r.db, guardCollection(box)); err != nil {
		return err
	}
	// A release cut short between the box's document and its key.
	return r.opts.Sealer.ring.destroy(box)
}

// releaseKey is the key box's release derives its _ids from; a box made
// before the keyring gets its key pair first.
func (r *Releaser) releaseKey(ctx context.Context, box string) ([]byte, error) {
	if _, err := r.boxes.publicKey(ctx, box, false); err != nil {
		return nil, err
	}
	return r.boxes.derivedKey(box)
}

func (r *Releaser) written(ctx context.Context, record string) (bool, error) {
	err := r.db.Collection(releasesCollection).FindOne(ctx, bson.D{{Key: "_id", Value: record}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read release record %s: %w", record, err)
	}
	return true, nil
}

// opened is one ballot, opened.
type opened struct {
	id  string // the ballot's _id
	def *survey.Definition
	b   ballot
}

type groupKey struct {
	service  string
	verified bool
}

// write opens the box's ballots and writes what they hold, then records that
// the box is written.
func (r *Releaser) write(ctx context.Context, box string, op *opener, key []byte, record string, rep *ReleaseReport) error {
	ballots, err := r.open(ctx, box, op)
	if err != nil {
		return err
	}
	rep.Ballots = len(ballots)
	r.progress(box, "opened", len(ballots))
	release, carry := r.split(box, ballots)
	if err := r.writeResponses(ctx, box, key, release); err != nil {
		return err
	}
	if err := r.carry(ctx, box, key, carry); err != nil {
		return err
	}
	r.progress(box, "carried", len(carry))
	rep.Responses, rep.Carried = len(release), len(carry)
	_, err = r.db.Collection(releasesCollection).InsertOne(ctx, bson.D{{Key: "_id", Value: record}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("record the release of %s: %w", box, err)
	}
	return nil
}

// split divides a box's ballots into those released now and those carried
// into the current month. Each (service, source) group is counted apart: a
// verified group is released with at least K, an open one only in a quarter's
// last month and with at least OpenK (its earlier months' open ballots were
// carried into it). Never the two sources together: a group under K of one
// source must not hide behind the other's numbers.
func (r *Releaser) split(box string, ballots []opened) (release, carry []opened) {
	groups := map[groupKey][]opened{}
	for _, o := range ballots {
		g := groupKey{o.b.Service, o.b.Verified}
		groups[g] = append(groups[g], o)
	}
	for g, members := range groups {
		if releasable(g.verified, box, len(members), r.opts.K, r.opts.OpenK, r.opts.OpenByMonth) {
			release = append(release, members...)
		} else {
			carry = append(carry, members...)
		}
	}
	return release, carry
}

// releasable says whether a group of n ballots of one source may be written
// in month box's release.
func releasable(verified bool, box string, n, k, openK int, monthly bool) bool {
	if verified {
		return n >= k
	}
	return (monthly || quarterEnds(box)) && n >= openK
}

// quarterEnds says whether month (YYYY-MM) is the last of a calendar quarter.
func quarterEnds(month string) bool {
	return strings.HasSuffix(month, "-03") || strings.HasSuffix(month, "-06") ||
		strings.HasSuffix(month, "-09") || strings.HasSuffix(month, "-12")
}

// longRunning gives ctx a deadline of some hours if it has none. Without one
// the driver bounds every call by the client's timeout (30 s), and a release
// or mix of a national month's box (a million ballots) takes minutes in all;
// each batch of a cursor is still bounded on its own.
func longRunning(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, 6*time.Hour)
}

// derivedID is an _id derived from the box's derived key: the same on every
// run of a release (so a rerun writes nothing twice), unrelated to the
// ballot's _id for anyone without the private key, which is destroyed once
// the release is done.
func derivedID(key []byte, parts ...string) string {
	return hex.EncodeToString(mac(key, parts...)[:16])
}
