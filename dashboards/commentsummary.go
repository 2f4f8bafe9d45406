package dashboards

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/survey"
)

// A released month's comments never change but by a moderation or a lead's
// correction, so what the workbench counts of them (themes, ratings, comments
// that spoke of risk, comments awaiting a moderator) is counted once per
// service and month and stored in one small document: a page then costs what
// its months cost, not what their comments cost. At a million responses the
// service page walked 293,406 comments on every request (101 ms median, 18.6
// s for the first after a restart, 623 MB held); see BENCHMARKS.md.

// commentSummariesCollection holds one document per service and month: a few
// dozen in all, read whole by _id's owner only.
const commentSummariesCollection = "comment_summaries"

// summaryFormat changes whenever the shape of a summary does, so an old one
// is counted again rather than misread.
const summaryFormat = "6"

// monthSummary is what the workbench needs of one service's month of comments.
type monthSummary struct {
	ID string `bson:"_id"` // service|month
	// Stamp names what the counts were made from: the month's moderations,
	// the theme rules, the lead's corrections in the month and the order key.
	// A summary with another stamp is counted again.
	Stamp  string         `bson:"stamp"`
	Groups []summaryGroup `bson:"groups"`
	// The copies of comments are stored packed in one binary field
	// (Packed): the embedded store decodes each nested document slowly,
	// and a summary holds hundreds.
	summaryComments `bson:"-"`
	Packed          []byte `bson:"comments"`
}

// summaryComments are the comments a summary holds copies of.
type summaryComments struct {
	// Risk are the comments that spoke of risk and may be read, in key order:
	// they are shown first, whatever the page's filter.
	Risk []summaryComment `bson:"risk"`
	// First are the first comments of each source in page order (the keyed
	// hash), at most MaxCommentLimit of each, that quality leads may read:
	// a service's page opens on them without reading the month. More says,
	// by source ("verified", "open"), that the month holds more.
	First []summaryComment `bson:"first"`
	More  map[string]bool  `bson:"more"`
	// Pages are, by source and by rating, by theme and by both, the first comments
	// quality leads may read in page order: a workbench page and one more
	// (to know a next page is there), so a filter's first page opens
	// without reading the month. Extra holds, in page order, those First
	// does not; a page names each by its place in First, then in Extra.
	Pages []summaryPage    `bson:"pages"`
	Extra []summaryComment `bson:"extra"`
}

// pack sets Packed from the summary's comments, to be stored.
func (sum *monthSummary) pack() error {
	b, err := bson.Marshal(sum.summaryComments)
	if err != nil {
		return fmt.Errorf("pack comment summary %s: %w", sum.ID, err)
	}
	sum.Packed = b
	return nil
}

// unpack sets the summary's comments from Packed, as read.
func (sum *monthSummary) unpack() error {
	if err := bson.Unmarshal(sum.Packed, &sum.summaryComments); err != nil {
		return fmt.Errorf("unpack comment summary %s: %w", sum.ID, err)
	}
	sum.Packed = nil
	return nil
}

// summaryPage is the first comments of one source with a rating, a theme or both.
type summaryPage struct {
	Verified bool   `bson:"verified"`
	Rating   string `bson:"rating,omitempty"`
	Theme    string `bson:"theme,omitempty"`
	At       []int  `bson:"at"`
	// More: the month holds more of them than At.
	More bool `bson:"more,omitempty"`
}

// summaryPageLength is how many comments a summary holds of each rating and
// theme: the workbench's page and one more, which says a next page is there.
const summaryPageLength = DefaultCommentLimit + 1

// summaryGroup counts the comments of one source, survey version and question
// (the unit a comment publishes with: see publishedQuestion).
type summaryGroup struct {
	Verified bool   `bson:"verified"`
	Version  string `bson:"version"`
	Question string `bson:"question"`
	// Comments counts those quality leads may read; Themes counts them by
	// theme (in the rules' order, after a lead's corrections), Ratings by
	// FFT option value, and RatingThemes by both.
	Comments     int              `bson:"comments"`
	Themes       []int            `bson:"themes"`
	Ratings      map[string]int   `bson:"ratings"`
	RatingThemes map[string][]int `bson:"rating_themes"`
	// Risk counts those that spoke of risk, awaiting moderation or not;
	// Awaiting those a moderator has still to read, RiskAwaiting both.
	Risk         int `bson:"risk"`
	Awaiting     int `bson:"awaiting"`
	RiskAwaiting int `bson:"risk_awaiting"`
}

// summaryComment is a comment that spoke of risk, as the page shows it.
type summaryComment struct {
	Verified bool     `bson:"verified"`
	Version  string   `bson:"version"`
	Question string   `bson:"question"`
	Key      string   `bson:"key"`
	Text     string   `bson:"text"`
	FFT      string   `bson:"fft,omitempty"`
	Themes   []string `bson:"themes,omitempty"` // the risk lane's only: the others are tagged when shown
	Risk     bool     `bson:"risk,omitempty"`
}

func (c summaryComment) item(month string) commentItem {
	return commentItem{month: month, version: c.Version, question: c.Question, text: c.Text, fft: c.FFT,
		themes: c.Themes, verified: c.Verified, key: c.Key, risk: c.Risk}
}

func sourceName(verified bool) string {
	if verified {
		return string(Verified)
	}
	return string(Open)
}

// summaries holds the month summaries in memory: a few dozen small documents.
type summaries struct {
	db      *mongo.Database
	mu      sync.Mutex
	byMonth map[serviceMonth]*monthSummary
	// counted counts summaries counted from comments, for tests.
	counted int
}

func newSummaries(db *mongo.Database) *summaries {
	return &summaries{db: db, byMonth: map[serviceMonth]*monthSummary{}}
}

// stamp names what a month's summary is made from.
func (d *Dashboards) summaryStamp(s *snapshot, service, month string, key []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%s|%s|", summaryFormat, s.edits[service+"|"+month], hexMAC(key, "summary", 8), d.themes.stamp)
	prefix := service + "|" + month + "|"
	var ids []string
	for id := range s.corrections {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(h, "%s=%s\n", id, strings.Join(s.corrections[id], ","))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// summary returns service's summary of month as of the snapshot s: from
// memory, else the stored one, else counted from the month's comments (one
// small collection, streamed) and stored for every instance and restart.
func (d *Dashboards) summary(ctx context.Context, s *snapshot, service, month string) (*monthSummary, error) {
	key, err := d.comments.orderKey(ctx)
	if err != nil {
		return nil, err
	}
	stamp := d.summaryStamp(s, service, month, key)
	sm := d.summaries
	k := serviceMonth{service, month}
	sm.mu.Lock()
	got := sm.byMonth[k]
	sm.mu.Unlock()
	if got != nil && got.Stamp == stamp {
		return got, nil
	}
	coll := sm.db.Collection(commentSummariesCollection)
	id := service + "|" + month
	var stored monthSummary
	err = coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&stored)
	switch {
	case err == nil && stored.Stamp == stamp:
		if err := stored.unpack(); err != nil {
			return nil, err
		}
		got = &stored
	case err == nil || errors.Is(err, mongo.ErrNoDocuments):
		if got, err = d.countSummary(ctx, s, service, month, key); err != nil {
			return nil, err
		}
		got.ID, got.Stamp = id, stamp
		if err := got.pack(); err != nil {
			return nil, err
		}
		_, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, got, options.Replace().SetUpsert(true))
		got.Packed = nil
		if err != nil {
			return nil, fmt.Errorf("store comment summary of %s %s: %w", service, month, err)
		}
	default:
		return nil, fmt.Errorf("read comment summary of %s %s: %w", service, month, err)
	}
	sm.mu.Lock()
	sm.byMonth[k] = got
	sm.mu.Unlock()
	return got, nil
}

// countSummary counts one month's comments, read as a stream and never held.
func (d *Dashboards) countSummary(ctx context.Context, s *snapshot, service, month string, key []byte) (*monthSummary, error) {
	out := &monthSummary{Groups: []summaryGroup{}, summaryComments: summaryComments{Risk: []summaryComment{},
		First: []summaryComment{}, More: map[string]bool{}, Pages: []summaryPage{}, Extra: []summaryComment{}}}
	var readable []taggedComment
	groups := map[string]*summaryGroup{}
	index := map[string]int{}
	for i, t := range d.themes.Themes {
		index[t.Name] = i
	}
	err := survey.EachComment(ctx, d.db, service, month, func(c survey.Comment) error {
		gk := strconv.FormatBool(c.Verified) + "|" + c.Version + "|" + c.Question
		g := groups[gk]
		if g == nil {
			g = &summaryGroup{Verified: c.Verified, Version: c.Version, Question: c.Question,
				Themes: make([]int, len(d.themes.Themes)), Ratings: map[string]int{}, RatingThemes: map[string][]int{}}
			groups[gk] = g
		}
		awaiting := c.AwaitsModeration()
		if c.Safeguarding {
			g.Risk++
		}
		if awaiting {
			g.Awaiting++
			if c.Safeguarding {
				g.RiskAwaiting++
			}
			return nil
		}
		ck := commentKey(key, c.Text, c.ID)
		themes, ok := s.corrections[correctionID(service, month, ck)]
		if !ok {
			themes = d.themes.Tag(strings.ToLower(c.Text))
		}
		g.Comments++
		if c.FFT != "" {
			g.Ratings[c.FFT]++
			if g.RatingThemes[c.FFT] == nil {
				g.RatingThemes[c.FFT] = make([]int, len(d.themes.Themes))
			}
		}
		for _, t := range themes {
			if i, ok := index[t]; ok {
				g.Themes[i]++
				if c.FFT != "" {
					g.RatingThemes[c.FFT][i]++
				}
			}
		}
		if c.Safeguarding {
			out.Risk = append(out.Risk, summaryComment{Verified: c.Verified, Version: c.Version, Question: c.Question,
				Key: ck, Text: c.Text, FFT: c.FFT, Themes: append([]string{}, themes...), Risk: true})
		}
		readable = append(readable, taggedComment{summaryComment{Verified: c.Verified, Version: c.Version, Question: c.Question,
			Key: ck, Text: c.Text, FFT: c.FFT, Risk: c.Safeguarding}, themes})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, *g)
	}
	sort.Slice(out.Groups, func(i, j int) bool {
		a, b := out.Groups[i], out.Groups[j]
		return fmt.Sprint(a.Verified, a.Version, a.Question) < fmt.Sprint(b.Verified, b.Version, b.Question)
	})
	sort.Slice(out.Risk, func(i, j int) bool { return out.Risk[i].Key < out.Risk[j].Key })
	sort.Slice(readable, func(i, j int) bool { return readable[i].Key < readable[j].Key })
	out.fill(readable, index)
	d.summaries.mu.Lock()
	d.summaries.counted++
	d.summaries.mu.Unlock()
	return out, nil
}

// taggedComment is a readable comment with its themes, while a month is counted.
type taggedComment struct {
	summaryComment
	themes []string
}

// fill sets the summary's first comments of each source, and of each rating
// and theme, from the month's readable comments in page order.
func (sum *monthSummary) fill(readable []taggedComment, themeIndex map[string]int) {
	type pageKey struct {
		verified      bool
		rating, theme string
	}
	pages := map[pageKey]*summaryPage{}
	var keys []pageKey
	held := map[bool]int{}
	for _, c := range readable {
		var wanted []*summaryPage
		want := func(k pageKey) {
			p := pages[k]
			if p == nil {
				p = &summaryPage{Verified: k.verified, Rating: k.rating, Theme: k.theme, At: []int{}}
				pages[k] = p
				keys = append(keys, k)
			}
			switch {
			case slices.Contains(wanted, p): // a theme named twice
			case len(p.At) == summaryPageLength:
				p.More = true
			default:
				wanted = append(wanted, p)
			}
		}
		if c.FFT != "" {
			want(pageKey{verified: c.Verified, rating: c.FFT})
		}
		for _, t := range c.themes {
			if _, ok := themeIndex[t]; ok {
				want(pageKey{verified: c.Verified, theme: t})
				if c.FFT != "" {
					want(pageKey{verified: c.Verified, rating: c.FFT, theme: t})
				}
			}
		}
		at := -1
		switch {
		case held[c.Verified] < MaxCommentLimit:
			held[c.Verified]++
			sum.First = append(sum.First, c.summaryComment)
			at = len(sum.First) - 1
		default:
			sum.More[sourceName(c.Verified)] = true
			if len(wanted) > 0 {
				sum.Extra = append(sum.Extra, c.summaryComment)
				at = -len(sum.Extra) // Extra's place, counted from -1
			}
		}
		for _, p := range wanted {
			p.At = append(p.At, at)
		}
	}
	// First is whole now: a place in Extra follows it.
	for _, k := range keys {
		p := pages[k]
		for i, at := range p.At {
			if at < 0 {
				p.At[i] = len(sum.First) - at - 1
			}
		}
		sum.Pages = append(sum.Pages, *p)
	}
}

// page returns the comments of a source that a page with filter f opens on,
// in page order: every comment of the month that passes f is among them, or
// comes after the last of them when more says the month holds more.
func (sum *monthSummary) page(verified bool, f CommentFilter) (comments []summaryComment, more bool) {
	if f.Rating == "" && f.Theme == "" {
		for _, c := range sum.First {
			if c.Verified == verified {
				comments = append(comments, c)
			}
		}
		return comments, sum.More[sourceName(verified)]
	}
	find := func(rating, theme string) *summaryPage {
		for i := range sum.Pages {
			if p := &sum.Pages[i]; p.Verified == verified && p.Rating == rating && p.Theme == theme {
				return p
			}
		}
		return nil
	}
	chosen := find(f.Rating, f.Theme)
	if chosen == nil {
		return nil, false // no comment of the month that may be read has them
	}
	for _, at := range chosen.At {
		if at < len(sum.First) {
			comments = append(comments, sum.First[at])
		} else {
			comments = append(comments, sum.Extra[at-len(sum.First)])
		}
	}
	return comments, chosen.More
}

// count counts the group's comments of rating (empty: any) and the theme at
// index theme of the rules (-1: any).
func (g *summaryGroup) count(rating string, theme int) int {
	switch {
	case rating == "" && theme < 0:
		return g.Comments
	case rating == "":
		return at(g.Themes, theme)
	case theme < 0:
		return g.Ratings[rating]
	}
	return at(g.RatingThemes[rating], theme)
}

func at(counts []int, i int) int {
	if i < len(counts) {
		return counts[i]
	}
	return 0
}

// eachSummary calls fn with the summary of every published month of service
// in r, newest first, until fn returns false. A hidden month's comments are
// never counted.
func (d *Dashboards) eachSummary(ctx context.Context, service string, r Range, fn func(s *snapshot, sv *surveyVersions, month string, sum *monthSummary) bool) (*ServiceStats, error) {
	sv, s, st, err := d.commentScope(ctx, service, r)
	if err != nil {
		return nil, err
	}
	for i := len(st.Months) - 1; i >= 0; i-- {
		m := st.Months[i]
		if m.Hidden {
			continue
		}
		sum, err := d.summary(ctx, s, service, m.Month)
		if err != nil {
			return nil, err
		}
		if !fn(s, sv, m.Month, sum) {
			break
		}
	}
	return st, nil
}

// eachGroup calls fn with every group of the published months' summaries of
// service in r whose comments publish from r's source, newest month first.
func (d *Dashboards) eachGroup(ctx context.Context, service string, r Range, fn func(month string, g *summaryGroup)) (*ServiceStats, error) {
	return d.eachSummary(ctx, service, r, func(s *snapshot, sv *surveyVersions, month string, sum *monthSummary) bool {
		for gi := range sum.Groups {
			g := &sum.Groups[gi]
			if g.Verified == (r.source() == Verified) && publishedQuestion(s.counters[r.source()][service], sv, month, g.Version, g.Question, d.k) != nil {
				fn(month, g)
			}
		}
		return true
	})
}

// SummariseComments counts and stores the summary of every published month
// of every service that has none yet, so no quality lead's first page waits
// for it: run after a release and at start-up, in the background.
func (d *Dashboards) SummariseComments(ctx context.Context) error {
	s, err := d.current(ctx)
	if err != nil {
		return err
	}
	months, err := survey.CommentMonths(ctx, d.db, d.Services())
	if err != nil {
		return err
	}
	for _, service := range d.Services() {
		for _, month := range months[service] {
			if !s.published(month) {
				continue
			}
			if _, err := d.summary(ctx, s, service, month); err != nil {
				return err
			}
		}
	}
	return nil
}
