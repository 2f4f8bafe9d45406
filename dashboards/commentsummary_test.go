package dashboards_test

import (
	"context"
	"slices"
	"testing"

	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// A service page's comments cost what its months cost, not what their
// comments cost: each released month's comments are counted once and the
// count stored, so after a restart the theme counts, the tally, the comments
// that spoke of risk, the match count and the first page (from the summary
// of its newest month) read no comment, however many the months hold.
func TestCommentSummary_PageCostDoesNotGrowWithComments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	kind := survey.Answers{"fft": {Choice: "very_good"}, "fft_why": {Text: "She listened and was so kind"}}
	waited := survey.Answers{"fft": {Choice: "poor"}, "fft_why": {Text: "I waited ages on hold"}}
	risk := survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "I was thinking of suicide and the call helped"}}
	f.submitAnswers(t, "counselling", "2026-06", append(answersN(30, waited), answersN(12, risk)...))
	f.submitAnswers(t, "counselling", "2026-07", answersN(40, kind))
	f.submitAnswers(t, "counselling", "2026-08", answersN(12, kind))
	r := dashboards.Range{From: "2026-06", To: "2026-08"}

	first := f.dashboards(t, 10)
	if err := first.SummariseComments(ctx); err != nil {
		t.Fatal(err)
	}
	if _, counted := dashboards.CommentReads(first); counted != 3 {
		t.Fatalf("summarised %d months, want 3", counted)
	}

	// A restart: a fresh instance over the same store.
	d := f.dashboards(t, 10)
	counts := must[*dashboards.ThemeCounts](t)(d.CountThemes(ctx, "counselling", r))
	tally := must[dashboards.CommentTally](t)(d.TallyComments(ctx, "counselling", r))
	riskLane := must[[]dashboards.CommentView](t)(d.RiskComments(ctx, "counselling", r))
	page := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{}, "", 5))
	if months, counted := dashboards.CommentReads(d); months != 0 || counted != 0 {
		t.Errorf("a first page read %d months of comments and counted %d summaries; want none", months, counted)
	}
	var total int
	for _, m := range counts.Months {
		total += m.Comments
	}
	if total != 94 || len(counts.Months) != 3 || counts.Months[0].Month != "2026-08" {
		t.Errorf("theme counts: %d comments in %+v", total, counts.Months)
	}
	if tally.Risk != 12 || len(riskLane) != 12 || riskLane[0].Month != "2026-06" || !riskLane[0].Risk {
		t.Errorf("risk: tally %+v, lane of %d", tally, len(riskLane))
	}
	if len(page.Comments) != 5 || page.Comments[0].Month != "2026-08" || !page.MatchingKnown || page.Matching != 94 {
		t.Errorf("first page: %d comments, matching %d (%v)", len(page.Comments), page.Matching, page.MatchingKnown)
	}

	// A rating only June has is looked for in June alone: the summaries say
	// August and July hold none.
	poor := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{Rating: "poor"}, "", 5))
	if months, _ := dashboards.CommentReads(d); months != 1 {
		t.Errorf("a filter read %d months, want 1 (June)", months)
	}
	// The next page of the first goes on in August's order, from the month.
	next := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{}, page.Next, 5))
	if len(next.Comments) != 5 || next.Comments[0].Key <= page.Comments[4].Key || next.Comments[0].Month != "2026-08" {
		t.Errorf("second page: %d comments from %s", len(next.Comments), next.Comments[0].Month)
	}
	if poor.Matching != 30 || len(poor.Comments) != 5 || slices.ContainsFunc(poor.Comments, func(c dashboards.CommentView) bool { return c.FFT != "poor" }) {
		t.Errorf("poor: %d of %d", len(poor.Comments), poor.Matching)
	}
}

// A lead's correction changes the month's stored count at once, on this
// instance and on one started afterwards.
func TestCommentSummary_FollowsACorrection(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.submitAnswers(t, "counselling", "2026-08", answersN(12, survey.Answers{"fft": {Choice: "very_good"}, "fft_why": {Text: "She listened and was so kind"}}))
	r := dashboards.Range{From: "2026-08", To: "2026-08"}
	d := f.dashboards(t, 10)
	page := must[*dashboards.CommentPage](t)(d.Comments(ctx, "counselling", r, "", 1))
	const theme = "Contacting services"
	before := must[*dashboards.ThemeCounts](t)(d.CountThemes(ctx, "counselling", r))
	i := slices.Index(before.Themes, theme)
	if err := d.CorrectThemes(ctx, "counselling", "2026-08", page.Comments[0].Key, []string{theme}); err != nil {
		t.Fatal(err)
	}
	for _, dd := range []*dashboards.Dashboards{d, f.dashboards(t, 10)} {
		after := must[*dashboards.ThemeCounts](t)(dd.CountThemes(ctx, "counselling", r))
		if after.Totals[i] != before.Totals[i]+1 {
			t.Errorf("%s: %d, then %d", theme, before.Totals[i], after.Totals[i])
		}
		n := must[*dashboards.CommentPage](t)(dd.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{Theme: theme}, "", 20))
		if n.Matching != 1 || len(n.Comments) != 1 {
			t.Errorf("filtered by %s: %d shown, %d matching", theme, len(n.Comments), n.Matching)
		}
	}
}
