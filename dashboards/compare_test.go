package dashboards_test

import (
	"context"
	"testing"

	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// The comparison tells a month the survey was not running (no responses)
// from one it ran that is hidden (fewer than K, perhaps none: nothing tells
// those apart).
func TestCompare_SaysWhichMonthsHadNoSurveyAndWhichAreHidden(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.submitAnswers(t, "counselling", "2026-07", answersN(5, survey.Answers{"fft": {Choice: "good"}}))
	f.submitAnswers(t, "counselling", "2026-08", answersN(12, survey.Answers{"fft": {Choice: "good"}}))
	d := f.dashboards(t, 10)
	cmp := must[*dashboards.Comparison](t)(d.Compare(ctx, "counselling", dashboards.Range{From: "2026-08", To: "2026-08"}))
	for name, got := range map[string]dashboards.Period{"current": cmp.Current, "previous": cmp.Previous, "last year": cmp.LastYear} {
		want := map[string][2]int{"current": {0, 0}, "previous": {1, 0}, "last year": {0, 1}}[name]
		if got.Hidden != want[0] || got.NotRunning != want[1] {
			t.Errorf("%s (%s): %d hidden, %d not running; want %v", name, got.Label, got.Hidden, got.NotRunning, want)
		}
	}
}
