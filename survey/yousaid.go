package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/field"
)

// "You said, we did": what quality leads write, per service and month, about
// what changed because of feedback, shown on the thank-you page and a public
// page per service. One small document per service holds its latest entries
// (at most MaxYouSaid), so the collection never grows with use and the pages
// read one document, through a cache.
const youSaidCollection = "survey_you_said"

// Rules for an entry.
const (
	// MaxYouSaid is how many months of entries a service keeps: saving a
	// newer one lets the oldest go.
	MaxYouSaid = 24
	// MaxYouSaidLength is the most characters an entry has in each language.
	MaxYouSaidLength = 600
)

// Form fields of an entry.
const (
	YouSaidMonthField   = "month"
	YouSaidEnglishField = "english"
	YouSaidWelshField   = "welsh"
)

// ErrYouSaidConflict means someone else changed the service's entries at the
// same moment, twice over.
var ErrYouSaidConflict = errors.New("someone else changed these entries at the same time; look at them and save again")

// YouSaid is one month's entry: what changed because of feedback.
type YouSaid struct {
	Month   string `bson:"month"` // YYYY-MM, the month it tells of
	English string `bson:"en"`
	Welsh   string `bson:"cy,omitempty"`
	By      string `bson:"by"` // the quality lead's e-mail; never shown publicly
}

// In returns the entry's text in language l, and the language it is in:
// English when no Welsh was written.
func (y YouSaid) In(l Language) (string, Language) {
	if l == Welsh && y.Welsh != "" {
		return y.Welsh, Welsh
	}
	return y.English, English
}

type youSaidDoc struct {
	ID      string    `bson:"_id"` // the service
	Rev     int       `bson:"rev"` // compared on save, so two writers cannot lose each other's entries
	Entries []YouSaid `bson:"entries"`
}

type cachedYouSaid struct {
	entries []YouSaid
	at      time.Time
}

// youSaidFresh is how long a read of the entries serves the public pages of
// this instance; a save here clears it at once.
const youSaidFresh = 30 * time.Second

// YouSaid returns the service's entries, the latest month first. The survey
// pages call it on every thank-you page: within youSaidFresh of the last
// read it answers from memory.
func (l *Library) YouSaid(ctx context.Context, service string) ([]YouSaid, error) {
	now := l.now()
	l.mu.Lock()
	c, ok := l.youSaid[service]
	l.mu.Unlock()
	if ok && now.Sub(c.at) < youSaidFresh && !now.Before(c.at) {
		return c.entries, nil
	}
	doc, err := l.readYouSaid(ctx, service)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.youSaid[service] = cachedYouSaid{entries: doc.Entries, at: now}
	l.mu.Unlock()
	return doc.Entries, nil
}

func (l *Library) readYouSaid(ctx context.Context, service string) (youSaidDoc, error) {
	var doc youSaidDoc
	err := l.db().Collection(youSaidCollection).FindOne(ctx, bson.D{{Key: "_id", Value: service}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return youSaidDoc{ID: service}, nil
	}
	if err != nil {
		return youSaidDoc{}, fmt.Errorf("read you said, we did of %s: %w", service, err)
	}
	return doc, nil
}

// SaveYouSaid writes the service's entry for e.Month, replacing one already
// written for that month, after CleanYouSaid (a field.Errors when a rule is
// broken). by is the quality lead's e-mail.
func (l *Library) SaveYouSaid(ctx context.Context, service string, e YouSaid, by string) error {
	clean, err := CleanYouSaid(e, l.now())
	if err != nil {
		return err
	}
	clean.By = by
	return l.changeYouSaid(ctx, service, func(entries []YouSaid) []YouSaid {
		entries = slices.DeleteFunc(entries, func(x YouSaid) bool { return x.Month == clean.Month })
		entries = append(entries, clean)
		slices.SortFunc(entries, func(a, b YouSaid) int { return strings.Compare(b.Month, a.Month) })
		if len(entries) > MaxYouSaid {
			entries = entries[:MaxYouSaid]
		}
		return entries
	})
}

// RemoveYouSaid removes the service's entry for month, if there is one.
func (l *Library) RemoveYouSaid(ctx context.Context, service, month string) error {
	return l.changeYouSaid(ctx, service, func(entries []YouSaid) []YouSaid {
		return slices.DeleteFunc(entries, func(x YouSaid) bool { return x.Month == month })
	})
}

// changeYouSaid reads the service's document, changes its entries and writes
// it back only if nobody wrote it meanwhile (its rev), trying twice.
func (l *Library) changeYouSaid(ctx context.Context, service string, change func([]YouSaid) []YouSaid) error {
	coll := l.db().Collection(youSaidCollection)
	for range 2 {
		doc, err := l.readYouSaid(ctx, service)
		if err != nil {
			return err
		}
		next := youSaidDoc{ID: service, Rev: doc.Rev + 1, Entries: change(slices.Clone(doc.Entries))}
		if next.Entries == nil {
			next.Entries = []YouSaid{}
		}
		if doc.Rev == 0 {
			_, err = coll.InsertOne(ctx, next)
			if mongo.IsDuplicateKeyError(err) {
				continue
			}
		} else {
			var res *mongo.UpdateResult
			res, err = coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: service}, {Key: "rev", Value: doc.Rev}}, next)
			if err == nil && res.MatchedCount == 0 {
				continue
			}
		}
		if err != nil {
			return fmt.Errorf("save you said, we did of %s: %w", service, err)
		}
		l.mu.Lock()
		delete(l.youSaid, service)
		l.mu.Unlock()
		return nil
	}
	return ErrYouSaidConflict
}

// CleanYouSaid checks an entry: a month (YYYY-MM) no later than now's, and
// English text of 1 to MaxYouSaidLength characters, Welsh optional and as
// long. Text is plain: spaces are folded, paragraphs kept, control
// characters refused.
func CleanYouSaid(e YouSaid, now time.Time) (YouSaid, error) {
	var problems field.Errors
	out := YouSaid{Month: strings.TrimSpace(e.Month), English: paragraphs(e.English), Welsh: paragraphs(e.Welsh)}
	if t, err := time.Parse("2006-01", out.Month); err != nil || len(out.Month) != 7 {
		problems.Add(YouSaidMonthField, "Enter the month as a year and month, like 2026-11")
	} else if out.Month > Month(now) {
		problems.Add(YouSaidMonthField, "Write about a month that has begun, "+Month(now)+" or before")
	} else if t.Year() < 2000 {
		problems.Add(YouSaidMonthField, "Enter a month from 2000 on")
	}
	if out.English == "" {
		problems.Add(YouSaidEnglishField, "Enter what changed, in English")
	}
	checkPlain(&problems, YouSaidEnglishField, "The English text", out.English, MaxYouSaidLength)
	checkPlain(&problems, YouSaidWelshField, "The Welsh text", out.Welsh, MaxYouSaidLength)
	if len(problems) > 0 {
		return YouSaid{}, problems
	}
	return out, nil
}

// paragraphs trims each line of s, folds its spaces, and keeps one blank
// line between paragraphs.
func paragraphs(s string) string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if para = oneLine(para); para != "" {
			out = append(out, para)
		}
	}
	return strings.Join(out, "\n")
}

// Paragraphs splits an entry's text into its paragraphs, for a page.
func Paragraphs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
