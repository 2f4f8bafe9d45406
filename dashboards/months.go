package dashboards

import (
	"errors"
	"fmt"
	"time"

	"github.com/feedback-service/feedback/survey"
)

// MaxMonths is the longest range a view covers.
const MaxMonths = 60

// Range is a run of whole calendar months, From to To inclusive ("2026-01"),
// of one source of responses. There is no finer period: a day or a part of a
// month is never a view.
type Range struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Source Source `json:"source"`
}

// Source says which responses a view counts. Verified ones came through a
// single-use invitation in a survey text: one each, from somebody the service
// texted. Open ones came through the public link, which anyone may use as often
// as they like: they are counted apart, under their own K, and never move a
// verified figure.
type Source string

// The sources of responses.
const (
	Verified Source = "verified"
	Open     Source = "open"
)

// ParseSource reads a source; empty means Verified.
func ParseSource(s string) (Source, error) {
	switch Source(s) {
	case "", Verified:
		return Verified, nil
	case Open:
		return Open, nil
	}
	return "", fmt.Errorf("%w: source is verified or open", ErrRange)
}

func (r Range) source() Source {
	if r.Source == "" {
		return Verified
	}
	return r.Source
}

// ErrRange means a range is malformed, backwards or too long.
var ErrRange = errors.New("invalid range of months")

// ParseRange reads from and to (YYYY-MM). Either may be empty: the default is
// the last 12 whole months, ending with last month (this month is never
// published before it ends).
func ParseRange(from, to string, now time.Time) (Range, error) {
	def := LastMonths(now, 12)
	if from == "" {
		from = def.From
	}
	if to == "" {
		to = def.To
	}
	r := Range{From: from, To: to, Source: Verified}
	if err := r.Validate(); err != nil {
		return Range{}, err
	}
	return r, nil
}

// LastMonths is the range of the n whole months before now's month.
func LastMonths(now time.Time, n int) Range {
	t := firstOfMonth(now).AddDate(0, -1, 0)
	return Range{From: survey.Month(t.AddDate(0, 1-n, 0)), To: survey.Month(t), Source: Verified}
}

// PublicationNote says when this month's figures will appear, e.g.
// "November's figures appear in early December, once the month has ended."
func PublicationNote(now time.Time) string {
	t := firstOfMonth(now)
	return t.Format("January") + "'s figures appear in early " + t.AddDate(0, 1, 0).Format("January") +
		", once the month has ended: no figure is ever shown for a month in progress."
}

// Validate checks the range's shape.
func (r Range) Validate() error {
	f, err1 := time.Parse(survey.MonthLayout, r.From)
	t, err2 := time.Parse(survey.MonthLayout, r.To)
	if err1 != nil || err2 != nil || survey.Month(f) != r.From || survey.Month(t) != r.To {
		return fmt.Errorf("%w: months are written YYYY-MM", ErrRange)
	}
	if t.Before(f) {
		return fmt.Errorf("%w: %s is after %s", ErrRange, r.From, r.To)
	}
	if _, err := ParseSource(string(r.Source)); err != nil {
		return err
	}
	if n := len(r.Months()); n > MaxMonths {
		return fmt.Errorf("%w: %d months; at most %d", ErrRange, n, MaxMonths)
	}
	return nil
}

// Months lists the range's months, oldest first.
func (r Range) Months() []string {
	f, err1 := time.Parse(survey.MonthLayout, r.From)
	t, err2 := time.Parse(survey.MonthLayout, r.To)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for m := f; !m.After(t) && len(out) <= MaxMonths; m = m.AddDate(0, 1, 0) {
		out = append(out, survey.Month(m))
	}
	return out
}

func (r Range) String() string { return r.From + ".." + r.To + " " + string(r.source()) }

func firstOfMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
