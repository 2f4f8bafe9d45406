package dashboards

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/survey"
)

// snapshot is every published counter document and invitation count, as read
// at one time. Both collections stay small (a few documents per service,
// version and month), so they are read whole; then everything of a month that
// is not published — the current month, or a closed month whose ballots are
// not yet released — is dropped, so nothing about such a month can change a
// figure, a cached chart or the time it takes to render one.
type snapshot struct {
	version string // hash of the published content read
	// published says whether a month is published (ended and released).
	published func(month string) bool
	loaded    time.Time
	// source → service → month → survey version → counters
	counters    map[Source]map[string]map[string]map[string]*survey.CounterDoc
	invitations map[string]map[string]int64 // service → month → invitations sent
	settings    map[string]MeasureSetting   // service|measure → a lead's target and baseline
	corrections map[string][]string         // service|month|key → a lead's themes for a comment
	picks       map[string]bool             // service|month|key → picked for the board pack
	edits       map[string]int64            // service|month → moderations of its comments
	// ran says whether the survey was running in a month: its ballot box was
	// released or still waits. A month it was not running had no responses;
	// of one it was, nothing says how many it had.
	ran map[string]bool
}

type rawDoc struct {
	id  string
	raw bson.Raw
}

func loadSnapshot(ctx context.Context, db *mongo.Database, now time.Time) (*snapshot, error) {
	s := &snapshot{
		loaded:      now,
		counters:    map[Source]map[string]map[string]map[string]*survey.CounterDoc{Verified: {}, Open: {}},
		invitations: map[string]map[string]int64{},
	}
	h := sha256.New()
	published, err := publishedMonths(ctx, db, now)
	if err != nil {
		return nil, err
	}
	s.published = published
	if s.ran, err = runningMonths(ctx, db); err != nil {
		return nil, err
	}
	// Counters and invitation counts belong to survey, which reads them whole.
	counters, err := survey.ReadCounters(ctx, db, published)
	if err != nil {
		return nil, err
	}
	for _, c := range counters {
		h.Write(c.Raw)
		s.addCounters(c.Doc)
	}
	h.Write([]byte{0})
	invitations, err := survey.ReadInvitationCounts(ctx, db, published)
	if err != nil {
		return nil, err
	}
	for _, inv := range invitations {
		h.Write(inv.Raw)
		if s.invitations[inv.Doc.Service] == nil {
			s.invitations[inv.Doc.Service] = map[string]int64{}
		}
		s.invitations[inv.Doc.Service][inv.Doc.Month] += inv.Doc.N
	}
	if err := s.readLeadChoices(ctx, db, h); err != nil {
		return nil, err
	}
	// A moderation changes what quality leads read (and the theme counts).
	edits, err := survey.ReadCommentEdits(ctx, db)
	if err != nil {
		return nil, err
	}
	h.Write([]byte{0})
	for _, raw := range edits.Raw {
		h.Write(raw)
	}
	s.edits = edits.N
	s.version = hex.EncodeToString(h.Sum(nil)[:8])
	return s, nil
}

// readLeadChoices reads what quality leads chose — targets and baselines,
// corrected themes, comments picked for the board pack — into the snapshot
// and its content hash, so cached charts follow a change.
func (s *snapshot) readLeadChoices(ctx context.Context, db *mongo.Database, h hash.Hash) error {
	hashAll := func(raw []rawDoc) {
		h.Write([]byte{0})
		for _, r := range raw {
			h.Write(r.raw)
		}
	}
	settings, raw, err := readSettings(ctx, db)
	if err != nil {
		return err
	}
	hashAll(raw)
	corrections, raw, err := readCorrections(ctx, db)
	if err != nil {
		return err
	}
	hashAll(raw)
	picks, raw, err := readPicks(ctx, db)
	if err != nil {
		return err
	}
	hashAll(raw)
	s.settings, s.corrections, s.picks = settings, corrections, picks
	return nil
}

// readAll reads a small collection whole, ordered by _id in memory (the store
// would sort by scanning anyway), so the content hash is the same everywhere.
func readAll(ctx context.Context, coll *mongo.Collection) ([]rawDoc, error) {
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var out []rawDoc
	for cur.Next(ctx) {
		raw := append(bson.Raw(nil), cur.Current...)
		id, _ := raw.Lookup("_id").StringValueOK()
		out = append(out, rawDoc{id: id, raw: raw})
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// addCounters files a counter document under its source, service, month and
// version. Counters written before responses were verified or open count as
// open; a bucket may have several documents (written before and after ballots
// were sealed, one a release), and they add up.
func (s *snapshot) addCounters(c *survey.CounterDoc) {
	source := Open
	if c.Verified {
		source = Verified
	}
	byMonth := s.counters[source][c.Service]
	if byMonth == nil {
		byMonth = map[string]map[string]*survey.CounterDoc{}
		s.counters[source][c.Service] = byMonth
	}
	if byMonth[c.Month] == nil {
		byMonth[c.Month] = map[string]*survey.CounterDoc{}
	}
	if prev := byMonth[c.Month][c.Version]; prev != nil {
		prev.Add(c)
	} else {
		byMonth[c.Month][c.Version] = c
	}
}

// publishedMonths returns the rule for which months are published: a month is
// published once it has ended, its release is due and its sealed ballots have
// been released. Until the release is due a closed month counts as unpublished
// whether or not it had any ballot, so that says nothing either.
// runningMonths lists the months the survey was running: those released and
// those whose box still waits (both one tiny document a month).
func runningMonths(ctx context.Context, db *mongo.Database) (map[string]bool, error) {
	released, err := ballotbox.ReleasedMonths(ctx, db)
	if err != nil {
		return nil, err
	}
	pending, err := ballotbox.PendingBoxes(ctx, db)
	if err != nil {
		return nil, err
	}
	ran := map[string]bool{}
	for _, m := range append(released, pending...) {
		ran[m] = true
	}
	return ran, nil
}

func publishedMonths(ctx context.Context, db *mongo.Database, now time.Time) (func(month string) bool, error) {
	pending, err := ballotbox.PendingBoxes(ctx, db)
	if err != nil {
		return nil, err
	}
	current := survey.Month(now)
	previous := survey.Month(firstOfMonth(now).AddDate(0, -1, 0))
	due := !now.Before(firstOfMonth(now).Add(ballotbox.DefaultReleaseGrace))
	return func(month string) bool {
		if month >= current || (month == previous && !due) {
			return false
		}
		return !slices.Contains(pending, month)
	}, nil
}
