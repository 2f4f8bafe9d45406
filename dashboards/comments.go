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
	Next         string        `json:"next,omitempty"` // cursor for the following page
	HiddenMonths []string      `json:"hidden_months"`
}

// CommentView is one free-text answer as published.
type CommentView struct {
	Month    string `json:"month"`
	Question string `json:"question"` // the question's key
	Short    string `json:"short"`
	Text     string `json:"text"`
}

// ErrCursor means a comment page cursor is malformed.
var ErrCursor = errors.New("invalid comment page cursor")

// Comments returns up to limit comments of service in r after the cursor
// (empty for the first page).
func (d *Dashboards) Comments(ctx context.Context, service string, r Range, cursor string, limit int) (*CommentPage, error) {
	sv, ok := d.survey(service)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownService, service)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
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
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	st := computeService(s, sv, r, d.k)
	page := &CommentPage{Service: service, Range: r, Comments: []CommentView{}, HiddenMonths: st.HiddenMonths}
	var last commentItem
	// Newest month first; a hidden month's comments are never read, and the
	// months after the page is full are not read either.
	for i := len(st.Months) - 1; i >= 0; i-- {
		m := st.Months[i]
		if m.Hidden || (cursor != "" && m.Month > afterMonth) {
			continue
		}
		items, err := d.comments.get(ctx, service, m.Month)
		if err != nil {
			return nil, err
		}
		for _, c := range items {
			if cursor != "" && c.month == afterMonth && c.key <= afterKey {
				continue
			}
			if c.verified != (r.source() == Verified) {
				continue // the other source's comment
			}
			qi := publishedQuestion(s.counters[r.source()][service], sv, c, d.k)
			if qi == nil {
				continue
			}
			if len(page.Comments) == limit {
				page.Next = last.month + "~" + last.key
				return page, nil
			}
			page.Comments = append(page.Comments, CommentView{Month: c.month, Question: qi.key, Short: qi.q.Short, Text: c.text})
			last = c
		}
	}
	return page, nil
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
	verified                       bool
	key                            string // HMAC of the text, then of the _id to break ties
}

// commentCache holds comments in memory by service and month, each month in
// order. Survey keeps a month's comments in a small collection of their own
// (survey.CommentsCollection), read whole: a past month's once, since no
// response is stored in it any more; the current month's again at most once
// per maxAge, in the background once a first read has been served.
type commentCache struct {
	db     *mongo.Database
	maxAge time.Duration
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex
	key     []byte
	byMonth map[serviceMonth]*commentSet
}

type serviceMonth struct{ service, month string }

type commentSet struct {
	items   []commentItem
	loaded  time.Time
	loading bool
	final   bool // the month is over: its comments no longer change
}

// monthSettles is how long after a month ends its comments are still read
// again: responses committed at midnight and comments written behind them.
const monthSettles = 5 * time.Minute

func newCommentCache(db *mongo.Database, maxAge time.Duration, now func() time.Time, log *slog.Logger) *commentCache {
	return &commentCache{db: db, maxAge: maxAge, now: now, log: log, byMonth: map[serviceMonth]*commentSet{}}
}

func (cc *commentCache) get(ctx context.Context, service, month string) ([]commentItem, error) {
	k := serviceMonth{service, month}
	cc.mu.Lock()
	set := cc.byMonth[k]
	if set != nil {
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
	cc.byMonth[k] = &commentSet{items: items, loaded: now, final: monthOver(month, now)}
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
	cur, err := cc.db.Collection(survey.CommentsCollection(k.service, k.month)).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read survey comments: %w", err)
	}
	var docs []survey.Comment
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read survey comments: %w", err)
	}
	items := make([]commentItem, 0, len(docs))
	for _, c := range docs {
		if c.Service != k.service || c.Month != k.month {
			continue // misplaced; `feedback counters rebuild --comments` puts it back
		}
		items = append(items, commentItem{
			month: c.Month, version: c.Version, question: c.Question, text: c.Text, verified: c.Verified,
			key: hexMAC(key, c.Text, 16) + hexMAC(key, c.ID, 8),
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
