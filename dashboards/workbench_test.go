package dashboards_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// The workbench on stored responses: each comment carries its response's FFT
// rating; filters, search, theme counts and the CSV see published months
// only; a lead's correction replaces the rules' themes.
func TestWorkbench_FiltersThemesAndExportSeePublishedMonthsOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.submitAnswers(t, "counselling", "2026-08", append(
		answersN(6, survey.Answers{"fft": {Choice: "very_good"}, "fft_why": {Text: "She listened and was so kind"}}),
		answersN(6, survey.Answers{"fft": {Choice: "poor"}, "fft_why": {Text: "=HYPERLINK(\"x\") I waited ages on hold"}})...))
	f.submitAnswers(t, "counselling", "2026-09", answersN(5, survey.Answers{"fft": {Choice: "very_good"}, "fft_why": {Text: "secret month: she listened"}})) // hidden: 5 < K
	d := f.dashboards(t, 10)
	r := dashboards.Range{From: "2026-08", To: "2026-09"}
	all := must[*dashboards.CommentPage](t)(d.AllComments(ctx, "counselling", r, dashboards.CommentFilter{}))
	if len(all.Comments) != 12 {
		t.Fatalf("%d comments", len(all.Comments))
	}
	for _, c := range all.Comments {
		if c.Month != "2026-08" || strings.Contains(c.Text, "secret") {
			t.Fatalf("a hidden month's comment: %+v", c)
		}
		if (c.FFT == "very_good") != strings.Contains(c.Text, "kind") || c.FFTLabel == "" {
			t.Errorf("rating not the response's: %+v", c)
		}
	}
	for _, tc := range []struct {
		f    dashboards.CommentFilter
		want int
	}{
		{dashboards.CommentFilter{Rating: "poor"}, 6},
		{dashboards.CommentFilter{Rating: "good"}, 0},
		{dashboards.CommentFilter{Theme: "Staff manner & personal attributes"}, 6},
		{dashboards.CommentFilter{Theme: "Contacting services", Rating: "very_good"}, 0},
		{dashboards.CommentFilter{Search: "LISTENED"}, 6},
		{dashboards.CommentFilter{Search: "secret"}, 0},
		{dashboards.CommentFilter{Search: "listened kind"}, 6},
	} {
		p := must[*dashboards.CommentPage](t)(d.AllComments(ctx, "counselling", r, tc.f))
		if len(p.Comments) != tc.want {
			t.Errorf("%+v: %d comments, want %d", tc.f, len(p.Comments), tc.want)
		}
	}
	if _, err := d.AllComments(ctx, "counselling", r, dashboards.CommentFilter{Theme: "nope"}); !errors.Is(err, dashboards.ErrFilter) {
		t.Errorf("unknown theme: %v", err)
	}
	counts := must[*dashboards.ThemeCounts](t)(d.CountThemes(ctx, "counselling", r))
	if len(counts.Months) != 1 || counts.Months[0].Month != "2026-08" || counts.Months[0].Comments != 12 {
		t.Fatalf("theme counts: %+v", counts)
	}
	listening := slices.Index(counts.Themes, "Staff listening, understanding & involving patients")
	if counts.Totals[listening] != 6 {
		t.Errorf("listening: %d", counts.Totals[listening])
	}

	var b bytes.Buffer
	if err := dashboards.WriteCommentsCSV(&b, all); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&b).ReadAll()
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("formula cell %q", cell)
			}
		}
	}

	c := all.Comments[0]
	if err := d.CorrectThemes(ctx, "counselling", c.Month, c.Key, []string{"Competence & training"}); err != nil {
		t.Fatal(err)
	}
	got := must[dashboards.CommentView](t)(d.Comment(ctx, "counselling", c.Month, c.Key))
	if !got.Corrected || !slices.Equal(got.Themes, []string{"Competence & training"}) {
		t.Errorf("corrected: %+v", got)
	}
	if err := d.CorrectThemes(ctx, "counselling", "2026-09", c.Key, nil); !errors.Is(err, dashboards.ErrNoComment) {
		t.Errorf("a comment of a hidden month was corrected: %v", err)
	}
}

func answersN(n int, a survey.Answers) []survey.Answers {
	out := make([]survey.Answers, n)
	for i := range out {
		out[i] = a
	}
	return out
}

// submitAnswers stores the given responses to service in month and releases it.
func (f *fixture) submitAnswers(t testing.TB, service, month string, answers []survey.Answers) {
	t.Helper()
	m, err := time.Parse(survey.MonthLayout, month)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(m.AddDate(0, 0, 14))
	defer f.clock.Set(today)
	ctx := context.Background()
	def := f.def(t, service)
	for _, a := range answers {
		nonce, err := f.responses.Keys().IssueVerified(ctx, service)
		if err == nil {
			_, err = f.responses.Submit(ctx, def, nonce, a)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.releaser.Release(ctx, month); err != nil {
		t.Fatal(err)
	}
}
