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
	return d.eachComment(ctx, service, r, f, afterMonth, func(p *CommentPage, c CommentView) bool {
		if cursor != "" && c.Month == afterMonth && c.Key <= afterKey {
			return true
		}
		if len(p.Comments) == limit {
			p.Next = last.Month + "~" + last.Key
			return false
		}
		p.Comments = append(p.Comments, c)
		last = c
		return true
	})
}

// AllComments returns every comment of service in r that passes f, for a
// download.
func (d *Dashboards) AllComments(ctx context.Context, service string, r Range, f CommentFilter) (*CommentPage, error) {
	return d.eachComment(ctx, service, r, f, "", func(p *CommentPage, c CommentView) bool {
		p.Comments = append(p.Comments, c)
		return true
	})
}

// eachComment calls fn with every published comment of service in r that
// passes f, newest month first, from the month startMonth (empty: the
// newest) until fn returns false. A hidden month's comments are never read,
// and a comment awaiting moderation is never shown.
func (d *Dashboards) eachComment(ctx context.Context, service string, r Range, f CommentFilter, startMonth string, fn func(*CommentPage, CommentView) bool) (*CommentPage, error) {
	if err := f.validate(d.themes); err != nil {
		return nil, err
	}
	page := &CommentPage{Service: service, Range: r, Filter: f, Comments: []CommentView{}}
	st, err := d.eachItem(ctx, service, r, startMonth, func(s *snapshot, qi *questionIdentity, c commentItem) bool {
		if c.awaiting {
			return true
		}
		v := d.commentView(s, service, qi, c)
		if !f.passes(v, c.lower) {
			return true
		}
		return fn(page, v)
	})
	if err != nil {
		return nil, err
	}
	page.HiddenMonths = st.HiddenMonths
	return page, nil
}

// eachItem calls fn with every stored comment of service in r whose bucket
// publishes, awaiting moderation or not, newest month first, from the month
// startMonth (empty: the newest) until fn returns false. A hidden month's
// comments are never read. It is the one door to comments in this package.
func (d *Dashboards) eachItem(ctx context.Context, service string, r Range, startMonth string, fn func(*snapshot, *questionIdentity, commentItem) bool) (*ServiceStats, error) {
	sv, ok := d.survey(service)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownService, service)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	st := computeService(s, sv, r, d.k)
	for i := len(st.Months) - 1; i >= 0; i-- {
		m := st.Months[i]
		if m.Hidden || (startMonth != "" && m.Month > startMonth) {
			continue
		}
		items, err := d.comments.get(ctx, service, m.Month, s.edits[service+"|"+m.Month])
		if err != nil {
			return nil, err
		}
		for _, c := range items {
			if c.verified != (r.source() == Verified) {
				continue // the other source's comment
			}
			qi := publishedQuestion(s.counters[r.source()][service], sv, c, d.k)
			if qi == nil {
				continue
			}
			if !fn(s, qi, c) {
				return st, nil
			}
		}
	}
	return st, nil
}

// publishedQuestion returns the question a comment answers if the comment's
// bucket publishes: the month's for a common question, its version's
// otherwise. A comment from a version not known here is never shown.
func publishedQuestion(byMonth map[string]map[string]*survey.CounterDoc, sv *surveyVersions, c commentItem, k int) *questionIdentity {
	docs := byMonth[c.month]
	var n int64
	for _, doc := range docs {
		n += doc.N
	}
	if n < int64(k) {
		return nil
	}
	for _, qi := range sv.questions {
		if qi.q.ID != c.question || !qi.versions[c.version] {
			continue
		}
		if qi.common {
			return qi
		}
		if doc := docs[c.version]; doc != nil && doc.N >= int64(k) {
			return qi
		}
		return nil
	}
	return nil
}

// commentItem is a stored comment with its sort key.
type commentItem struct {
	month, version, question, text string
	fft, lower                     string
	themes                         []string // tagged by the rules when read
	verified                       bool
	key                            string // HMAC of the text, then of the _id to break ties
	id                             string // the stored _id, for a moderator's decision only
	// risk: the response spoke of risk (survey.Comment.Safeguarding);
	// awaiting: no quality lead may read it yet (survey.Comment.AwaitsModeration).
	risk, awaiting bool
}

// commentCache holds comments in memory by service and month, each month in
// order. Survey keeps a month's comments in a small collection of their own
// (survey.ReadComments reads one whole): a past month's once, since no
// response is stored in it any more; the current month's again at most once
// per maxAge, in the background once a first read has been served.
type commentCache struct {
	db     *mongo.Database
	maxAge time.Duration
	now    func() time.Time
	log    *slog.Logger

	tagger *Tagger

	mu      sync.Mutex
	key     []byte
	byMonth map[serviceMonth]*commentSet
}

type serviceMonth struct{ service, month string }

type commentSet struct {
	items   []commentItem
	edits   int64 // the month's moderations when it was read (survey.ReadCommentEdits)
	loaded  time.Time
	loading bool
	final   bool // the month is over: its comments no longer change
}

// monthSettles is how long after a month ends its comments are still read
// again: responses committed at midnight and comments written behind them.
const monthSettles = 5 * time.Minute

func newCommentCache(db *mongo.Database, tagger *Tagger, maxAge time.Duration, now func() time.Time, log *slog.Logger) *commentCache {
	return &commentCache{db: db, tagger: tagger, maxAge: maxAge, now: now, log: log, byMonth: map[serviceMonth]*commentSet{}}
}

// get returns service's comments of month, read with edits moderations made
// to them (the snapshot's count): a set read with fewer is read again now,
// so a moderation on any instance shows at once, even in a finished month.
func (cc *commentCache) get(ctx context.Context, service, month string, edits int64) ([]commentItem, error) {
	k := serviceMonth{service, month}
	cc.mu.Lock()
	set := cc.byMonth[k]
	if set != nil && set.edits == edits {
		if !set.final && !set.loading && cc.now().Sub(set.loaded) >= cc.maxAge {
			set.loading = true
			go cc.reload(k)
		}
		items := set.items
		cc.mu.Unlock()
		return items, nil
	}
	cc.mu.Unlock()
	now := cc.now()
	items, err := cc.load(ctx, k)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	cc.byMonth[k] = &commentSet{items: items, edits: edits, loaded: now, final: monthOver(month, now)}
	cc.mu.Unlock()
	return items, nil
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
	cc.mu.Unlock()
}

func (cc *commentCache) reload(k serviceMonth) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := cc.now()
	items, err := cc.load(ctx, k)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	set := cc.byMonth[k]
	if set == nil {
		return
	}
	set.loading = false
	if err != nil {
		cc.log.Error("reload survey comments", "service", k.service, "month", k.month, "err", err)
		return
	}
	set.items, set.loaded, set.final = items, now, monthOver(k.month, now)
}

// load reads one month's comments of a service, whole, and orders them by
// the keyed hash of their text.
func (cc *commentCache) load(ctx context.Context, k serviceMonth) ([]commentItem, error) {
	key, err := cc.orderKey(ctx)
	if err != nil {
		return nil, err
	}
	docs, err := survey.ReadComments(ctx, cc.db, k.service, k.month)
	if err != nil {
		return nil, err
	}
	items := make([]commentItem, 0, len(docs))
	for _, c := range docs {
		lower := strings.ToLower(c.Text)
		items = append(items, commentItem{
			month: c.Month, version: c.Version, question: c.Question, text: c.Text, verified: c.Verified,
			fft: c.FFT, lower: lower, themes: cc.tagger.Tag(lower),
			key: hexMAC(key, c.Text, 16) + hexMAC(key, c.ID, 8),
			id:  c.ID, risk: c.Safeguarding, awaiting: c.AwaitsModeration(),
		})
	}
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
