package dashboards

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// Comment page sizes.
const (
	DefaultCommentLimit = 20
	MaxCommentLimit     = 100
)

// CommentPage is a page of free-text answers from published buckets, newest
// month first and, within a month, in the order of a keyed hash of the text,
// so the order says nothing about when each arrived. Only the month is shown.
type CommentPage struct {
	Service      string        `json:"service"`
	Range        Range         `json:"range"`
	Comments     []CommentView `json:"comments"`
	Filter       CommentFilter `json:"filter"`
	Next         string        `json:"next,omitempty"` // cursor for the following page
	HiddenMonths []string      `json:"hidden_months"`
	// Matching counts the comments of the range that pass the filter, when
	// MatchingKnown: search words are not counted ahead (only a last page
	// says how many matched them).
	Matching      int  `json:"matching"`
	MatchingKnown bool `json:"matching_known"`
}

// CommentView is one free-text answer as published.
type CommentView struct {
	Month    string `json:"month"`
	Question string `json:"question"` // the question's key
	Short    string `json:"short"`
	Text     string `json:"text"`
	// Key names the comment among its month's (a keyed hash, saying nothing
	// of when it came), for a correction of its themes.
	Key string `json:"key"`
	// FFT is the rating given in the same response, and its label.
	FFT      string `json:"fft,omitempty"`
	FFTLabel string `json:"fft_label,omitempty"`
	// Themes are the rules' themes, or the lead's correction of them.
	Themes    []string `json:"themes"`
	Corrected bool     `json:"corrected,omitempty"`
	// Risk: the response spoke of suicide, self-harm, harm to others or a
	// risk to patients; such comments are read first.
	Risk bool `json:"spoke_of_risk,omitempty"`
	// OnRating: the comment answers the survey's "why" of its FFT rating, so
	// the rating says what it is about and no question is shown beside it.
	OnRating bool `json:"on_rating,omitempty"`
}

// ErrCursor means a comment page cursor is malformed.
var ErrCursor = errors.New("invalid comment page cursor")

// Comments returns up to limit comments of service in r after the cursor
// (empty for the first page).
func (d *Dashboards) Comments(ctx context.Context, service string, r Range, cursor string, limit int) (*CommentPage, error) {
	return d.FilteredComments(ctx, service, r, CommentFilter{}, cursor, limit)
}

// FilteredComments returns up to limit comments of service in r that pass f,
// after the cursor (empty for the first page).
func (d *Dashboards) FilteredComments(ctx context.Context, service string, r Range, f CommentFilter, cursor string, limit int) (*CommentPage, error) {
	if limit <= 0 {
		limit = DefaultCommentLimit
	}
	limit = min(limit, MaxCommentLimit)
	var afterMonth, afterKey string
	if cursor != "" {
		var ok bool
		afterMonth, afterKey, ok = strings.Cut(cursor, "~")
		if !ok || (Range{From: afterMonth, To: afterMonth}).Validate() != nil || len(afterKey) != 48 {
			return nil, ErrCursor
		}
	}
	var last CommentView
	w := walk{startMonth: afterMonth, afterKey: afterKey, opening: true}
	page, err := d.walkComments(ctx, service, r, f, w, func(p *CommentPage, c CommentView) bool {
		if len(p.Comments) == limit {
			p.Next = last.Month + "~" + last.Key
			return false
		}
		p.Comments = append(p.Comments, c)
		last = c
		return true
	})
	if err != nil {
		return nil, err
	}
	if page.Matching, page.MatchingKnown, err = d.countMatching(ctx, service, r, f); err != nil {
		return nil, err
	}
	if !page.MatchingKnown && cursor == "" && page.Next == "" {
		page.Matching, page.MatchingKnown = len(page.Comments), true
	}
	return page, nil
}

// AllComments returns every comment of service in r that passes f, for a
// test or a small range: a download streams them with EachComment.
func (d *Dashboards) AllComments(ctx context.Context, service string, r Range, f CommentFilter) (*CommentPage, error) {
	return d.walkComments(ctx, service, r, f, walk{stream: true}, func(p *CommentPage, c CommentView) bool {
		p.Comments = append(p.Comments, c)
		return true
	})
}

// CheckComments says why service's comments in r cannot be read with f, or
// nil: what EachComment would refuse, before a download starts.
func (d *Dashboards) CheckComments(service string, r Range, f CommentFilter) error {
	if _, ok := d.survey(service); !ok {
		return fmt.Errorf("%w: %q", ErrUnknownService, service)
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return f.validate(d.themes)
}

// EachComment calls fn with every comment of service in r that passes f,
// newest month first and, within a month, in stored order (the release's
// keyed _ids: nothing of arrival), holding none: a download of every
// comment streams in constant memory.
func (d *Dashboards) EachComment(ctx context.Context, service string, r Range, f CommentFilter, fn func(CommentView) bool) error {
	_, err := d.walkComments(ctx, service, r, f, walk{stream: true}, func(_ *CommentPage, c CommentView) bool { return fn(c) })
	return err
}

// countMatching counts the comments of service in r that pass f from the
// months' summaries. Search words are not counted there: known is false.
func (d *Dashboards) countMatching(ctx context.Context, service string, r Range, f CommentFilter) (n int, known bool, err error) {
	if strings.TrimSpace(f.Search) != "" {
		return 0, false, nil
	}
	theme := slices.IndexFunc(d.themes.Themes, func(t Theme) bool { return t.Name == f.Theme })
	_, err = d.eachGroup(ctx, service, r, func(_ string, g *summaryGroup) {
		n += g.count(f.Rating, theme)
	})
	return n, err == nil, err
}

// eachComment calls fn with every published comment of service in r that
// passes f, newest month first, from the month startMonth (empty: the
// newest) until fn returns false.
func (d *Dashboards) eachComment(ctx context.Context, service string, r Range, f CommentFilter, startMonth string, fn func(*CommentPage, CommentView) bool) (*CommentPage, error) {
	return d.walkComments(ctx, service, r, f, walk{startMonth: startMonth}, fn)
}

// walkComments calls fn with every published comment of service in r that
// passes f, newest month first, the months read as w says, until fn returns
// false. A hidden month's comments are never read, nor a month whose summary
// says no comment of it passes f's rating or theme, and a comment awaiting
// moderation is never shown.
func (d *Dashboards) walkComments(ctx context.Context, service string, r Range, f CommentFilter, w walk, fn func(*CommentPage, CommentView) bool) (*CommentPage, error) {
	if err := f.validate(d.themes); err != nil {
		return nil, err
	}
	page := &CommentPage{Service: service, Range: r, Filter: f, Comments: []CommentView{}}
	w.wants, w.filter = f.mayPass(d.themes), f
	st, err := d.eachItem(ctx, service, r, w, func(s *snapshot, qi *questionIdentity, c commentItem) bool {
		if w.afterKey != "" && c.month == w.startMonth && c.key <= w.afterKey {
			return true // on an earlier page
		}
		if c.awaiting || !d.passes(s, service, f, c) {
			return true
		}
		return fn(page, d.commentView(s, service, qi, c))
	})
	if err != nil {
		return nil, err
	}
	page.HiddenMonths = st.HiddenMonths
	return page, nil
}

// walk says which months eachItem reads, and how.
type walk struct {
	// startMonth is the newest month read; empty: the newest of the range.
	// In it, comments up to afterKey were on earlier pages.
	startMonth, afterKey string
	// wants says whether a month's group of comments may hold one wanted;
	// a month with none is not read. Nil reads every month.
	wants func(*summaryGroup) bool
	// opening reads a month's first comments that may pass the filter from
	// its summary, and the month itself only if more are wanted: a page of
	// the workbench, whose first (and each month's first) costs no read.
	opening bool
	filter  CommentFilter
	// stream reads each month afresh, a comment at a time in stored order,
	// leaving the months held in memory as they are: a download of every
	// comment.
	stream bool
}

// commentScope is what reading service's comments in r needs: its survey, the
// snapshot, and which months of r publish.
func (d *Dashboards) commentScope(ctx context.Context, service string, r Range) (*surveyVersions, *snapshot, *ServiceStats, error) {
	sv, ok := d.survey(service)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: %q", ErrUnknownService, service)
	}
	if err := r.Validate(); err != nil {
		return nil, nil, nil, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return sv, s, computeService(s, sv, r, d.k), nil
}

// eachItem calls fn with every stored comment of service in r whose bucket
// publishes, awaiting moderation or not, newest month first, until fn
// returns false. A hidden month's comments are never read. It is the one
// door to comments in this package.
func (d *Dashboards) eachItem(ctx context.Context, service string, r Range, w walk, fn func(*snapshot, *questionIdentity, commentItem) bool) (*ServiceStats, error) {
	sv, s, st, err := d.commentScope(ctx, service, r)
	if err != nil {
		return nil, err
	}
	for i := len(st.Months) - 1; i >= 0; i-- {
		m := st.Months[i]
		if m.Hidden || (w.startMonth != "" && m.Month > w.startMonth) {
			continue
		}
		if w.wants != nil {
			wanted, err := d.monthWants(ctx, s, sv, service, m.Month, r.source(), w.wants)
			if err != nil {
				return nil, err
			}
			if !wanted {
				continue
			}
		}
		if w.opening {
			stopped, err := d.openMonth(ctx, s, sv, service, m.Month, r, w.filter, fn)
			if err != nil || stopped {
				return st, err
			}
			continue
		}
		if w.stream {
			// In stored order (the release's keyed _ids, nothing of arrival),
			// one comment at a time: the month is never held.
			stopped, err := d.comments.stream(ctx, serviceMonth{service, m.Month}, func(c commentItem) bool {
				return d.visit(s, sv, service, r, c, fn)
			})
			if err != nil || stopped {
				return st, err
			}
			continue
		}
		items, err := d.comments.get(ctx, service, m.Month, s.edits[service+"|"+m.Month])
		if err != nil {
			return nil, err
		}
		for _, c := range items {
			if !d.visit(s, sv, service, r, c, fn) {
				return st, nil
			}
		}
	}
	return st, nil
}

// openMonth calls fn with a month's comments of r's source that may pass f,
// in page order: the first from its summary, the rest (if fn wants more than
// it holds) from the month itself; it says whether fn stopped.
func (d *Dashboards) openMonth(ctx context.Context, s *snapshot, sv *surveyVersions, service, month string, r Range, f CommentFilter, fn func(*snapshot, *questionIdentity, commentItem) bool) (bool, error) {
	sum, err := d.summary(ctx, s, service, month)
	if err != nil {
		return false, err
	}
	first, more := sum.page(r.source() == Verified, f)
	var last string
	for _, c := range first {
		last = c.Key
		if !d.visit(s, sv, service, r, c.item(month), fn) {
			return true, nil
		}
	}
	if !more {
		return false, nil
	}
	items, err := d.comments.get(ctx, service, month, s.edits[service+"|"+month])
	if err != nil {
		return false, err
	}
	for _, c := range items {
		if c.key <= last {
			continue // given from the summary
		}
		if !d.visit(s, sv, service, r, c, fn) {
			return true, nil
		}
	}
	return false, nil
}

// visit calls fn with a comment of r's source whose bucket publishes, and
// says whether to go on.
func (d *Dashboards) visit(s *snapshot, sv *surveyVersions, service string, r Range, c commentItem, fn func(*snapshot, *questionIdentity, commentItem) bool) bool {
	if c.verified != (r.source() == Verified) {
		return true // the other source's comment
	}
	qi := publishedQuestion(s.counters[r.source()][service], sv, c.month, c.version, c.question, d.k)
	if qi == nil {
		return true
	}
	return fn(s, qi, c)
}

// monthWants says whether a month's summary has a published group of source
// that wants accepts.
func (d *Dashboards) monthWants(ctx context.Context, s *snapshot, sv *surveyVersions, service, month string, source Source, wants func(*summaryGroup) bool) (bool, error) {
	sum, err := d.summary(ctx, s, service, month)
	if err != nil {
		return false, err
	}
	for gi := range sum.Groups {
		g := &sum.Groups[gi]
		if g.Verified == (source == Verified) && publishedQuestion(s.counters[source][service], sv, month, g.Version, g.Question, d.k) != nil && wants(g) {
			return true, nil
		}
	}
	return false, nil
}

// publishedQuestion returns the question a comment of month, version and
// question answers if its bucket publishes: the month's for a common
// question, its version's otherwise. A comment from a version not known here
// is never shown.
func publishedQuestion(byMonth map[string]map[string]*survey.CounterDoc, sv *surveyVersions, month, version, question string, k int) *questionIdentity {
	docs := byMonth[month]
	var n int64
	for _, doc := range docs {
		n += doc.N
	}
	if n < int64(k) {
		return nil
	}
	for _, qi := range sv.questions {
		if qi.q.ID != question || !qi.versions[version] {
			continue
		}
		if qi.common {
			return qi
		}
		if doc := docs[version]; doc != nil && doc.N >= int64(k) {
			return qi
		}
		return nil
	}
	return nil
}

// commentItem is a stored comment with its sort key, as held in memory: its
// themes are tagged when it is shown or filtered, not held.
type commentItem struct {
	month, version, question, text string
	fft                            string
	themes                         []string // set only for a comment of a summary (already tagged)
	verified                       bool
	key                            string // HMAC of the text, then of the _id to break ties
	id                             string // the stored _id, for a moderator's decision only
	// risk: the response spoke of risk (survey.Comment.Safeguarding);
	// awaiting: no quality lead may read it yet (survey.Comment.AwaitsModeration).
	risk, awaiting bool
}

// commentKey is a comment's key: the keyed hash of its text, then of its _id.
func commentKey(key []byte, text, id string) string {
	return hexMAC(key, text, 16) + hexMAC(key, id, 8)
}

// commentCache holds a few service months' comments in memory, each in page
// order, so the next page of a month is not read again. Survey keeps a
// month's comments in a small collection of their own (one read costs what
// the month holds); at most maxHeldComments are held in all, the month read
// least recently dropped first, so memory does not grow with the months.
type commentCache struct {
	db     *mongo.Database
	maxAge time.Duration
	now    func() time.Time
	log    *slog.Logger

	tagger *Tagger

	mu      sync.Mutex
	key     []byte
	byMonth map[serviceMonth]*commentSet
	// loading has a channel for each month being read, closed once it is
	// held: a second reader waits rather than read it too.
	loading map[serviceMonth]chan struct{}
	held    int   // comments held in all
	tick    int64 // counts reads, to find the month read least recently
	// reads counts months read from the store, for tests.
	reads int
}

// maxHeldComments bounds the comments held in memory: about 4 MB a 10,000.
const maxHeldComments = 60_000

type serviceMonth struct{ service, month string }

type commentSet struct {
	items  []commentItem
	edits  int64 // the month's moderations when it was read (survey.ReadCommentEdits)
	loaded time.Time
	final  bool  // the month is over: its comments no longer change
	used   int64 // the cache's tick when last read
}

// monthSettles is how long after a month ends its comments are still read
// again: responses committed at midnight and comments written behind them.
const monthSettles = 5 * time.Minute

func newCommentCache(db *mongo.Database, tagger *Tagger, maxAge time.Duration, now func() time.Time, log *slog.Logger) *commentCache {
	return &commentCache{db: db, tagger: tagger, maxAge: maxAge, now: now, log: log,
		byMonth: map[serviceMonth]*commentSet{}, loading: map[serviceMonth]chan struct{}{}}
}

// get returns service's comments of month, read with edits moderations made
// to them (the snapshot's count): a set read with fewer is read again now,
// so a moderation on any instance shows at once, even in a finished month.
func (cc *commentCache) get(ctx context.Context, service, month string, edits int64) ([]commentItem, error) {
	k := serviceMonth{service, month}
	for {
		now := cc.now()
		cc.mu.Lock()
		set := cc.byMonth[k]
		if set != nil && set.edits == edits && (set.final || now.Sub(set.loaded) < cc.maxAge) {
			cc.tick++
			set.used = cc.tick
			items := set.items
			cc.mu.Unlock()
			return items, nil
		}
		if wait, ok := cc.loading[k]; ok {
			cc.mu.Unlock()
			select {
			case <-wait:
				continue // held now, or failed: look again
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		cc.loading[k] = done
		cc.mu.Unlock()
		items, err := cc.load(ctx, k)
		cc.mu.Lock()
		delete(cc.loading, k)
		close(done)
		if err != nil {
			cc.mu.Unlock()
			return nil, err
		}
		cc.hold(k, items, edits, now)
		cc.mu.Unlock()
		return items, nil
	}
}

// hold keeps a month's comments, dropping the months read least recently
// while more than maxHeldComments would be held; cc.mu is held.
func (cc *commentCache) hold(k serviceMonth, items []commentItem, edits int64, now time.Time) {
	if old := cc.byMonth[k]; old != nil {
		cc.held -= len(old.items)
		delete(cc.byMonth, k)
	}
	for cc.held+len(items) > maxHeldComments && len(cc.byMonth) > 0 {
		cc.dropLeastRecent()
	}
	cc.tick++
	cc.byMonth[k] = &commentSet{items: items, edits: edits, loaded: now, final: monthOver(k.month, now), used: cc.tick}
	cc.held += len(items)
}

// dropLeastRecent drops the month read least recently; cc.mu is held.
func (cc *commentCache) dropLeastRecent() {
	var oldest serviceMonth
	var used int64 = -1
	for k, set := range cc.byMonth {
		if used < 0 || set.used < used {
			oldest, used = k, set.used
		}
	}
	cc.held -= len(cc.byMonth[oldest].items)
	delete(cc.byMonth, oldest)
}

// monthOver reports whether month ended (and settled) before now.
func monthOver(month string, now time.Time) bool {
	t, err := time.Parse(survey.MonthLayout, month)
	return err == nil && now.After(t.AddDate(0, 1, 0).Add(monthSettles))
}

// invalidate drops every loaded comment, so the next request reads them again.
func (cc *commentCache) invalidate() {
	cc.mu.Lock()
	cc.byMonth = map[serviceMonth]*commentSet{}
	cc.held = 0
	cc.mu.Unlock()
}

// errStopped ends a stream of comments early.
var errStopped = errors.New("stopped")

// stream calls fn with each of one month's comments of a service in stored
// order, holding none, until fn returns false; it says whether fn did.
func (cc *commentCache) stream(ctx context.Context, k serviceMonth, fn func(commentItem) bool) (bool, error) {
	key, err := cc.orderKey(ctx)
	if err != nil {
		return false, err
	}
	err = survey.EachComment(ctx, cc.db, k.service, k.month, func(c survey.Comment) error {
		if !fn(itemOf(key, k.month, c)) {
			return errStopped
		}
		return nil
	})
	if errors.Is(err, errStopped) {
		return true, nil
	}
	return false, err
}

func itemOf(key []byte, month string, c survey.Comment) commentItem {
	return commentItem{
		month: month, version: c.Version, question: c.Question, text: c.Text, verified: c.Verified,
		fft: c.FFT, key: commentKey(key, c.Text, c.ID),
		id: c.ID, risk: c.Safeguarding, awaiting: c.AwaitsModeration(),
	}
}

// load reads one month's comments of a service, whole, and orders them by
// the keyed hash of their text.
func (cc *commentCache) load(ctx context.Context, k serviceMonth) ([]commentItem, error) {
	key, err := cc.orderKey(ctx)
	if err != nil {
		return nil, err
	}
	var items []commentItem
	err = survey.EachComment(ctx, cc.db, k.service, k.month, func(c survey.Comment) error {
		items = append(items, itemOf(key, k.month, c))
		return nil
	})
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	cc.reads++
	cc.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	return items, nil
}

// orderKey returns the key comments are ordered with: random, made once per
// deployment and kept in the survey database, so every instance pages alike.
func (cc *commentCache) orderKey(ctx context.Context) ([]byte, error) {
	cc.mu.Lock()
	key := cc.key
	cc.mu.Unlock()
	if key != nil {
		return key, nil
	}
	coll := cc.db.Collection(dashboardKeysCollection)
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: commentOrderKeyID}, {Key: "k", Value: fresh}})
	if err != nil && !store.IsDuplicateKey(err) {
		return nil, fmt.Errorf("create comment order key: %w", err)
	}
	var doc struct {
		K []byte `bson:"k"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: commentOrderKeyID}}, options.FindOne()).Decode(&doc); err != nil || len(doc.K) != 32 {
		return nil, fmt.Errorf("read comment order key: %w", err)
	}
	cc.mu.Lock()
	cc.key = doc.K
	cc.mu.Unlock()
	return doc.K, nil
}

// The key collection this package owns: one document, the comment order key.
const (
	dashboardKeysCollection = "dashboard_keys"
	commentOrderKeyID       = "comment-order"
)

func hexMAC(key []byte, s string, n int) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)[:n])
}
