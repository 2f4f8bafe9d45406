package dashboards

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/survey"
)

// The comments workbench: filters by rating, theme and words, theme counts
// per published month, and a lead's corrections of a comment's themes.

// CommentFilter narrows the comments shown; an empty field passes all.
type CommentFilter struct {
	Rating string `json:"rating,omitempty"` // an FFT option value
	Theme  string `json:"theme,omitempty"`
	Search string `json:"search,omitempty"` // words that must all appear
}

// ErrFilter means a comment filter names no rating or theme there is.
var ErrFilter = errors.New("invalid comment filter")

// MaxSearchLength bounds the search words.
const MaxSearchLength = 200

func (f CommentFilter) validate(t *Tagger) error {
	if f.Rating != "" && !slices.ContainsFunc(survey.FFTOptions, func(o survey.Option) bool { return o.Value == f.Rating }) {
		return fmt.Errorf("%w: no rating %q", ErrFilter, f.Rating)
	}
	if f.Theme != "" && !t.Has(f.Theme) {
		return fmt.Errorf("%w: no theme %q", ErrFilter, f.Theme)
	}
	if len(f.Search) > MaxSearchLength {
		return fmt.Errorf("%w: search words are at most %d characters", ErrFilter, MaxSearchLength)
	}
	return nil
}

// passes says whether a comment of service passes f, its themes being the
// lead's correction or else the rules' tags.
func (d *Dashboards) passes(s *snapshot, service string, f CommentFilter, c commentItem) bool {
	if f.Rating != "" && c.fft != f.Rating {
		return false
	}
	words := strings.Fields(strings.ToLower(f.Search))
	if f.Theme == "" && len(words) == 0 {
		return true
	}
	lower := strings.ToLower(c.text)
	if f.Theme != "" {
		if fix, ok := s.corrections[correctionID(service, c.month, c.key)]; ok {
			if !slices.Contains(fix, f.Theme) {
				return false
			}
		} else if !d.themes.HasTheme(lower, f.Theme) {
			return false
		}
	}
	for _, w := range words {
		if !strings.Contains(lower, w) {
			return false
		}
	}
	return true
}

// mayPass says, of a month's group of comments, whether one of them may pass
// f by its summary; nil when every group may (no rating or theme is asked).
func (f CommentFilter) mayPass(t *Tagger) func(*summaryGroup) bool {
	if f.Rating == "" && f.Theme == "" {
		return nil
	}
	theme := slices.IndexFunc(t.Themes, func(th Theme) bool { return th.Name == f.Theme })
	return func(g *summaryGroup) bool { return g.count(f.Rating, theme) > 0 }
}

// Themes returns the rules in force.
func (d *Dashboards) Themes() *Tagger { return d.themes }

func (d *Dashboards) commentView(s *snapshot, service string, qi *questionIdentity, c commentItem) CommentView {
	v := CommentView{Month: c.month, Question: qi.key, Short: qi.q.Short, Text: c.text, Key: c.key, FFT: c.fft, Themes: c.themes, Risk: c.risk}
	if v.Themes == nil {
		v.Themes = d.themes.Tag(strings.ToLower(c.text))
	}
	if sv, ok := d.survey(service); ok {
		if def := sv.byVersion[c.version]; def != nil && len(def.Questions) > 1 {
			v.OnRating = def.Questions[1].ID == qi.q.ID // the rules fix the why second
		}
	}
	for _, o := range survey.FFTOptions {
		if o.Value == c.fft {
			v.FFTLabel = o.Label
		}
	}
	if fix, ok := s.corrections[correctionID(service, c.month, c.key)]; ok {
		v.Themes, v.Corrected = fix, true
	}
	if v.Themes == nil {
		v.Themes = []string{}
	}
	return v
}

// themeCorrectionsCollection holds the themes a lead set on a comment,
// replacing the rules' tags: one small document per corrected comment.
const themeCorrectionsCollection = "comment_theme_corrections"

func correctionID(service, month, key string) string { return service + "|" + month + "|" + key }

func readCorrections(ctx context.Context, db *mongo.Database) (map[string][]string, []rawDoc, error) {
	docs, err := readAll(ctx, db.Collection(themeCorrectionsCollection))
	if err != nil {
		return nil, nil, fmt.Errorf("read theme corrections: %w", err)
	}
	out := map[string][]string{}
	for _, r := range docs {
		var c struct {
			Themes []string `bson:"themes"`
		}
		if err := bson.Unmarshal(r.raw, &c); err != nil {
			return nil, nil, fmt.Errorf("decode theme correction %q: %w", r.id, err)
		}
		out[r.id] = append([]string{}, c.Themes...)
	}
	return out, docs, nil
}

// ErrNoComment means no published comment has that month and key.
var ErrNoComment = errors.New("no such comment")

// Comment returns one published comment of service by month and key.
func (d *Dashboards) Comment(ctx context.Context, service, month, key string) (CommentView, error) {
	r := Range{From: month, To: month, Source: Verified}
	if r.Validate() != nil {
		return CommentView{}, ErrNoComment
	}
	for _, src := range []Source{Verified, Open} {
		r.Source = src
		var found *CommentView
		if _, err := d.eachComment(ctx, service, r, CommentFilter{}, "", func(_ *CommentPage, c CommentView) bool {
			if c.Key == key {
				found = &c
				return false
			}
			return true
		}); err != nil {
			return CommentView{}, err
		}
		if found != nil {
			return *found, nil
		}
	}
	return CommentView{}, ErrNoComment
}

// CorrectThemes replaces a published comment's themes with a lead's choice
// (each a theme of the rules). The caller audits who made it.
func (d *Dashboards) CorrectThemes(ctx context.Context, service, month, key string, themes []string) error {
	if _, err := d.Comment(ctx, service, month, key); err != nil {
		return err
	}
	for _, t := range themes {
		if !d.themes.Has(t) {
			return fmt.Errorf("%w: no theme %q", ErrFilter, t)
		}
	}
	id := correctionID(service, month, key)
	doc := bson.D{{Key: "_id", Value: id}, {Key: "themes", Value: append([]string{}, themes...)}}
	if _, err := d.db.Collection(themeCorrectionsCollection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("save theme correction: %w", err)
	}
	return d.Refresh(ctx)
}

// ThemeCounts is how many comments of each theme every published month of a
// range has; a hidden month has no row (its comments are never read).
type ThemeCounts struct {
	Themes []string          `json:"themes"`
	Months []ThemeCountMonth `json:"months"`
	Totals []int             `json:"totals"`
}

// ThemeCountMonth is one published month's counts, in Themes order.
type ThemeCountMonth struct {
	Month    string `json:"month"`
	Comments int    `json:"comments"`
	Counts   []int  `json:"counts"`
}

// CountThemes counts the themes of service's published comments in r.
func (d *Dashboards) CountThemes(ctx context.Context, service string, r Range) (*ThemeCounts, error) {
	tc := &ThemeCounts{}
	index := map[string]int{}
	for i, t := range d.themes.Themes {
		tc.Themes = append(tc.Themes, t.Name)
		index[t.Name] = i
	}
	tc.Totals = make([]int, len(tc.Themes))
	_, err := d.eachGroup(ctx, service, r, func(month string, g *summaryGroup) {
		if n := len(tc.Months); n == 0 || tc.Months[n-1].Month != month {
			tc.Months = append(tc.Months, ThemeCountMonth{Month: month, Counts: make([]int, len(tc.Themes))})
		}
		m := &tc.Months[len(tc.Months)-1]
		m.Comments += g.Comments
		for i := range tc.Themes {
			m.Counts[i] += at(g.Themes, i)
			tc.Totals[i] += at(g.Themes, i)
		}
	})
	if err != nil {
		return nil, err
	}
	// A month is listed once it has a comment, as when they were walked.
	tc.Months = slices.DeleteFunc(tc.Months, func(m ThemeCountMonth) bool { return m.Comments == 0 })
	return tc, nil
}
