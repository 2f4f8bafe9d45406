package survey_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/survey"
)

func TestRebuildCounters_FindsACounterChangedBehindItsBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		a := survey.Answers{"fft": {Choice: "good"}, "recommend": {Number: i % 11}, "helped": {Choices: []string{"work", "wellbeing"}}}
		if i%3 == 0 {
			a["fft_why"] = survey.Answer{Text: "They listened."}
		}
		f.submit(t, f.nonce(t), a)
	}
	if err := f.responses.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(opts survey.RebuildOptions) *survey.RebuildReport {
		t.Helper()
		opts.Comments = true
		r, err := survey.RebuildCounters(ctx, f.db, cat, opts)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := check(survey.RebuildOptions{}); !r.Clean() || r.Responses != 12 || r.Buckets != 1 {
		t.Fatalf("fresh counters: %+v", r)
	}

	// Behind its back: one answer count bumped, one comment lost.
	id := survey.Bucket{Service: "counselling", Version: f.def.Version, Month: "2026-11"}.ID()
	if _, err := f.db.Collection("counters").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "a.fft.good", Value: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("comments").DeleteOne(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	r := check(survey.RebuildOptions{})
	want := survey.CounterDifference{Bucket: id, Field: "a.fft.good", Stored: 13, Recomputed: 12}
	if r.Clean() || len(r.Differences) != 1 || r.Differences[0] != want || r.CommentsMissing != 1 || r.Rewritten {
		t.Fatalf("check found %+v", r)
	}
	if r := check(survey.RebuildOptions{Write: true}); !r.Rewritten {
		t.Fatalf("rewrite: %+v", r)
	}
	if r := check(survey.RebuildOptions{}); !r.Clean() {
		t.Fatalf("after rewrite: %+v", r)
	}
}
