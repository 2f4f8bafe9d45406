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

	// A filter's first page opens on the summaries too: they hold each
	// month's first comments of every rating and theme (a workbench page and
	// one more), so neither a rating only June has, nor a theme, nor both,
	// reads a month of comments.
	poor := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{Rating: "poor"}, "", 5))
	const waiting = "Timeliness of care"
	themed := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{Theme: waiting}, "", dashboards.DefaultCommentLimit))
	both := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{Rating: "good", Theme: "Mental health specifics"}, "", 5))
	none := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{Rating: "very_poor"}, "", 5))
	if months, counted := dashboards.CommentReads(d); months != 0 || counted != 0 {
		t.Errorf("a filtered first page read %d months of comments and counted %d summaries; want none", months, counted)
	}
	if poor.Matching != 30 || len(poor.Comments) != 5 || poor.Next == "" || slices.ContainsFunc(poor.Comments, func(c dashboards.CommentView) bool { return c.FFT != "poor" }) {
		t.Errorf("poor: %d of %d", len(poor.Comments), poor.Matching)
	}
	if themed.Matching != 30 || len(themed.Comments) != dashboards.DefaultCommentLimit || themed.Next == "" ||
		slices.ContainsFunc(themed.Comments, func(c dashboards.CommentView) bool { return !slices.Contains(c.Themes, waiting) }) {
		t.Errorf("%s: %d of %d, next %q", waiting, len(themed.Comments), themed.Matching, themed.Next)
	}
	if len(both.Comments) != 5 || both.Matching != 12 || !both.Comments[0].Risk || len(none.Comments) != 0 || none.Matching != 0 {
		t.Errorf("good and mental health: %d of %d; very poor: %d", len(both.Comments), both.Matching, len(none.Comments))
	}

	// "More comments" goes on in the month's order: from the summary while
	// it holds enough, then from the month, read once; every poor comment
	// is shown once, in page order.
	keys := []string{}
	for p := poor; ; {
		for _, c := range p.Comments {
			keys = append(keys, c.Key)
		}
		if p.Next == "" {
			break
		}
		p = must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{Rating: "poor"}, p.Next, 5))
		if months, _ := dashboards.CommentReads(d); len(keys) < 20 && months != 0 {
			t.Errorf("page %d of poor read %d months; the summary holds it", len(keys)/5+1, months)
		}
	}
	if months, _ := dashboards.CommentReads(d); months != 1 {
		t.Errorf("every page of poor read %d months, want 1 (June)", months)
	}
	if len(keys) != 30 || !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != 30 {
		t.Errorf("poor over every page: %d comments, in order %v", len(keys), slices.IsSorted(keys))
	}
	// The next page of the first goes on in August's order.
	next := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{}, page.Next, 5))
	if len(next.Comments) != 5 || next.Comments[0].Key <= page.Comments[4].Key || next.Comments[0].Month != "2026-08" {
		t.Errorf("second page: %d comments from %s", len(next.Comments), next.Comments[0].Month)
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

// A month with more comments than its summary's first hundred still opens a
// filter's page from the summary, those past the hundred included, and in
// page order: each page shows only comments that pass, and every page
// together shows each once.
func TestCommentSummary_FilterPagesBeyondTheFirstHundred(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	kind := survey.Answers{"fft": {Choice: "very_good"}, "fft_why": {Text: "She listened and was so kind"}}
	waited := survey.Answers{"fft": {Choice: "poor"}, "fft_why": {Text: "I waited ages on hold"}}
	f.submitAnswers(t, "counselling", "2026-08", append(answersN(110, kind), answersN(30, waited)...))
	r := dashboards.Range{From: "2026-08", To: "2026-08"}
	for _, filter := range []dashboards.CommentFilter{{Rating: "poor"}, {Rating: "poor", Theme: "Timeliness of care"}} {
		all := must[*dashboards.CommentPage](t)(f.dashboards(t, 10).AllComments(ctx, "counselling", r, filter))
		want := []string{}
		for _, c := range all.Comments {
			want = append(want, c.Key)
		}
		slices.Sort(want)

		d := f.dashboards(t, 10)
		page := must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, filter, "", dashboards.DefaultCommentLimit))
		if months, _ := dashboards.CommentReads(d); months != 0 {
			t.Errorf("%+v: the first page read %d months, want none", filter, months)
		}
		got := []string{}
		for {
			for _, c := range page.Comments {
				if c.FFT != "poor" {
					t.Errorf("%+v: a %s comment on a page", filter, c.FFT)
				}
				got = append(got, c.Key)
			}
			if page.Next == "" {
				break
			}
			page = must[*dashboards.CommentPage](t)(d.FilteredComments(ctx, "counselling", r, filter, page.Next, dashboards.DefaultCommentLimit))
		}
		if len(want) != 30 || !slices.Equal(got, want) {
			t.Errorf("%+v: pages showed %d comments (in order: %v), want the %d in page order", filter, len(got), slices.IsSorted(got), len(want))
		}
	}
}
