package dashboards

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/feedback-service/feedback/survey"
)

// Comments that spoke of risk, and comments awaiting a moderator.
//
// A comment the check at submission was unsure of is held back from quality
// leads (never shown, exported, counted in a theme or found by its key) until
// a moderator approves it or removes words from it; the service's page says
// how many wait. The moderation queue offers moderators those comments, and
// nothing else: no figure, no rating, no other comment. Comments that spoke
// of risk are counted, shown first with the service's safeguarding guidance,
// and come first in the queue.

// DefaultSafeguardingGuidance is shown with the comments that spoke of risk
// unless the service sets its own.
const DefaultSafeguardingGuidance = `Nobody can identify or contact the person who wrote these comments: answers are anonymous, and are read weeks after they were given. Do not try to find out who wrote them.

Follow the service's safeguarding policy. Consider whether the service needs to change anything, for example how calls that touch on risk are handled or followed up. Talk to the service's safeguarding lead about what you have read.`

// MaxGuidanceLength bounds the safeguarding guidance, in characters.
const MaxGuidanceLength = 2000

// CleanGuidance tidies guidance as set in a flag or environment variable:
// a written \n is a line break (an environment file holds one line), and the
// spaces around it go.
func CleanGuidance(text string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(text, `\n`, "\n"), "\r\n", "\n"))
}

// CheckGuidance refuses safeguarding guidance that is too long to read
// beside the comments, or holds control characters.
func CheckGuidance(text string) error {
	if n := utf8.RuneCountInString(text); n > MaxGuidanceLength {
		return fmt.Errorf("%d characters; at most %d, so it is read beside the comments (link to a longer policy instead)", n, MaxGuidanceLength)
	}
	for _, r := range text {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return fmt.Errorf("holds a control character (%U); write plain text", r)
		}
	}
	return nil
}

// CommentTally counts, in a period's published months, the comments that
// spoke of risk and those still awaiting moderation.
type CommentTally struct {
	// Risk counts comments that spoke of risk, shown or not.
	Risk int `json:"spoke_of_risk"`
	// RiskAwaiting counts those of them still awaiting moderation.
	RiskAwaiting int `json:"spoke_of_risk_awaiting_moderation"`
	// Awaiting counts every comment still awaiting moderation.
	Awaiting int `json:"awaiting_moderation"`
}

// TallyComments counts service's comments in r that spoke of risk or await
// moderation, from published buckets only.
func (d *Dashboards) TallyComments(ctx context.Context, service string, r Range) (CommentTally, error) {
	var t CommentTally
	_, err := d.eachGroup(ctx, service, r, func(_ string, g *summaryGroup) {
		t.Risk += g.Risk
		t.Awaiting += g.Awaiting
		t.RiskAwaiting += g.RiskAwaiting
	})
	return t, err
}

// MaxRiskComments bounds the comments shown first, in their lane.
const MaxRiskComments = MaxCommentLimit

// RiskComments returns up to MaxRiskComments of service's comments in r
// that spoke of risk and may be read, newest month first, whatever filter the
// rest of the page uses: they are read first.
func (d *Dashboards) RiskComments(ctx context.Context, service string, r Range) ([]CommentView, error) {
	out := []CommentView{}
	_, err := d.eachSummary(ctx, service, r, func(s *snapshot, sv *surveyVersions, month string, sum *monthSummary) bool {
		for _, c := range sum.Risk {
			if c.Verified != (r.source() == Verified) {
				continue
			}
			if qi := publishedQuestion(s.counters[r.source()][service], sv, month, c.Version, c.Question, d.k); qi != nil {
				out = append(out, d.commentView(s, service, qi, c.item(month)))
			}
			if len(out) == MaxRiskComments {
				return false
			}
		}
		return true
	})
	return out, err
}

// SafeguardingGuidance is the service's guidance shown with comments that
// spoke of risk: plain text, paragraphs separated by blank lines.
func (d *Dashboards) SafeguardingGuidance() string { return d.guidance }

// QueuedComment is a comment awaiting moderation, as a moderator sees it: its
// text, service, month and question, and nothing of the response it came from.
type QueuedComment struct {
	Service string `json:"service"`
	Month   string `json:"month"`
	Key     string `json:"key"`
	Short   string `json:"short"` // the question, briefly
	Text    string `json:"text"`
	Risk    bool   `json:"spoke_of_risk,omitempty"`

	id string
}

// Words are the comment's words, as a moderator picks them to remove.
func (q QueuedComment) Words() []survey.Word { return survey.Words(q.Text) }

// ModerationQueue returns every comment awaiting moderation in any service's
// published months: those that spoke of risk first, then the oldest month
// first (it has waited longest). Comments of a bucket that never publishes
// are not offered: nobody will read them.
func (d *Dashboards) ModerationQueue(ctx context.Context) ([]QueuedComment, error) {
	services := d.Services()
	months, err := survey.CommentMonths(ctx, d.db, services)
	if err != nil {
		return nil, err
	}
	out := []QueuedComment{}
	for _, service := range services {
		for _, month := range months[service] {
			for _, src := range []Source{Verified, Open} {
				r := Range{From: month, To: month, Source: src}
				// Only a month whose summary counts comments awaiting is read.
				awaiting := walk{wants: func(g *summaryGroup) bool { return g.Awaiting > 0 }, stream: true}
				if _, err := d.eachItem(ctx, service, r, awaiting, func(_ *snapshot, qi *questionIdentity, c commentItem) bool {
					if c.awaiting {
						out = append(out, QueuedComment{Service: service, Month: c.month, Key: c.key, Short: qi.q.Short, Text: c.text, Risk: c.risk, id: c.id})
					}
					return true
				}); err != nil {
					return nil, err
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b QueuedComment) int {
		if a.Risk != b.Risk {
			if a.Risk {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// ErrNotQueued means no comment awaiting moderation has that service, month
// and key: it was moderated meanwhile, or never waited.
var ErrNotQueued = errors.New("no comment awaits moderation at this address")

// Queued returns one comment awaiting moderation, by service, month and key.
func (d *Dashboards) Queued(ctx context.Context, service, month, key string) (QueuedComment, error) {
	if _, ok := d.survey(service); !ok || (Range{From: month, To: month}).Validate() != nil {
		return QueuedComment{}, ErrNotQueued
	}
	for _, src := range []Source{Verified, Open} {
		var found *QueuedComment
		if _, err := d.eachItem(ctx, service, Range{From: month, To: month, Source: src}, walk{}, func(_ *snapshot, qi *questionIdentity, c commentItem) bool {
			if c.awaiting && c.key == key {
				found = &QueuedComment{Service: service, Month: c.month, Key: c.key, Short: qi.q.Short, Text: c.text, Risk: c.risk, id: c.id}
				return false
			}
			return true
		}); err != nil {
			return QueuedComment{}, err
		}
		if found != nil {
			return *found, nil
		}
	}
	return QueuedComment{}, ErrNotQueued
}

// Approve lets quality leads read a queued comment as it is. The caller
// audits who decided.
func (d *Dashboards) Approve(ctx context.Context, service, month, key string) error {
	return d.moderate(ctx, service, month, key, survey.Approved, nil)
}

// RemoveWords replaces the picked words (indexes of the comment's Words) of
// a queued comment with survey.RemovedMarker and lets quality leads read it.
// The caller audits who decided.
func (d *Dashboards) RemoveWords(ctx context.Context, service, month, key string, picked []int) error {
	return d.moderate(ctx, service, month, key, survey.Redacted, picked)
}

func (d *Dashboards) moderate(ctx context.Context, service, month, key string, m survey.Moderation, picked []int) error {
	q, err := d.Queued(ctx, service, month, key)
	if err != nil {
		return err
	}
	text := q.Text
	if m == survey.Redacted {
		if text, err = survey.RemoveWords(q.Text, picked); err != nil {
			return err
		}
	}
	err = survey.ModerateComment(ctx, d.db, service, month, q.id, m, text)
	if errors.Is(err, survey.ErrNoCommentToModerate) {
		return ErrNotQueued
	}
	if err != nil {
		return fmt.Errorf("moderate a comment of %s %s: %w", service, month, err)
	}
	// Read the counts and the month's comments again now: the next page,
	// on this instance, shows the decision (others follow within MaxAge).
	return d.Refresh(ctx)
}
