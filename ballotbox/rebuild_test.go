package ballotbox_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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
	f.releaseAll(t)
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
	month := survey.Month(f.clock.Now())
	id := survey.Bucket{Service: "counselling", Version: f.def.Version, Month: month}.ID()
	if _, err := f.db.Collection("counters").UpdateOne(ctx, bson.D{{Key: "month", Value: month}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "a.fft.good", Value: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection(survey.CommentsCollection("counselling", month)).DeleteOne(ctx, bson.D{}); err != nil {
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

func TestRebuildCounters_PutsACommentInTheWrongMonthBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "They listened."}})
	f.releaseAll(t)
	month, before := survey.Month(f.clock.Now()), survey.Month(f.clock.Now().AddDate(0, 0, -f.clock.Now().Day()))
	wrong := f.db.Collection(survey.CommentsCollection("counselling", before))
	stray := survey.Comment{ID: "x1", Service: "counselling", Version: f.def.Version, Month: month, Question: "fft_why", Text: "They listened."}
	if _, err := wrong.InsertOne(ctx, stray); err != nil {
		t.Fatal(err)
	}
	r, err := survey.RebuildCounters(ctx, f.db, cat, survey.RebuildOptions{Comments: true, Write: true})
	if err != nil || r.CommentsExtra != 1 || r.CommentsMissing != 0 || !r.Rewritten {
		t.Fatalf("rebuild: %+v %v", r, err)
	}
	if n := len(f.all(t, survey.CommentsCollection("counselling", before))); n != 0 {
		t.Fatalf("%d comments left in the wrong month", n)
	}
	if n := len(f.all(t, survey.CommentsCollection("counselling", month))); n != 1 {
		t.Fatalf("%d comments in their month", n)
	}
}

func TestRebuildCounters_RecreatesLostCommentsWithTheirFFTRating(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		fft := f.def.Questions[0].Options[i%len(f.def.Questions[0].Options)].Value
		f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: fft}, "fft_why": {Text: "Comment " + strconv.Itoa(i%4)}})
	}
	f.releaseAll(t)
	name := survey.CommentsCollection("counselling", survey.Month(f.clock.Now()))
	said := func() []string {
		var out []string
		for _, c := range f.all(t, name) {
			out = append(out, fmt.Sprint(c["text"], "|", c["fft"]))
		}
		slices.Sort(out)
		return out
	}
	released := said()
	if len(released) != 12 {
		t.Fatalf("released %d comments: %v", len(released), released)
	}
	if err := f.db.Collection(name).Drop(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := survey.RebuildCounters(ctx, f.db, cat, survey.RebuildOptions{Comments: true, Write: true})
	if err != nil || r.CommentsMissing != 12 || !r.Rewritten {
		t.Fatalf("rebuild: %+v %v", r, err)
	}
	if rebuilt := said(); !slices.Equal(rebuilt, released) {
		t.Fatalf("rebuilt comments\n%v\nwant the released ones\n%v", rebuilt, released)
	}
	if r, err := survey.RebuildCounters(ctx, f.db, cat, survey.RebuildOptions{Comments: true}); err != nil || !r.Clean() {
		t.Fatalf("after the rebuild: %+v %v", r, err)
	}
}

func TestRebuildCounters_KeepsARedactedCommentAsTheModeratorLeftIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "Thank you, Zorblax helped me a lot."}})
	f.releaseAll(t)
	month := survey.Month(f.clock.Now())
	name := survey.CommentsCollection("counselling", month)
	stored := f.all(t, name)
	if len(stored) != 1 || stored[0]["uncertain"] != true {
		t.Fatalf("released comments %v, want one uncertain", stored)
	}
	if err := survey.ModerateComment(ctx, f.db, "counselling", month, stored[0]["_id"].(string), survey.Redacted, "Thank you, [removed] helped me a lot."); err != nil {
		t.Fatal(err)
	}
	r, err := survey.RebuildCounters(ctx, f.db, cat, survey.RebuildOptions{Comments: true})
	if err != nil || !r.Clean() {
		t.Fatalf("rebuild check after a redaction: %+v %v", r, err)
	}
	if got := f.all(t, name); len(got) != 1 || got[0]["text"] != "Thank you, [removed] helped me a lot." {
		t.Fatalf("comments after the check: %v", got)
	}
}

// A response keeps its comment's generalised text, not what the check and a
// moderator said of it: a comment stored again by the rebuild goes to a
// moderator first, and one that speaks of risk is flagged again.
func TestRebuildCounters_RebuiltCommentsGoToAModeratorAndKeepTheirRiskFlag(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "Kind and patient, thank you."}})
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "poor"}, "fft_why": {Text: "Honestly I can't see a reason to keep going."}})
	f.releaseAll(t)
	name := survey.CommentsCollection("counselling", survey.Month(f.clock.Now()))
	flags := func() map[string][2]any {
		out := map[string][2]any{}
		for _, c := range f.all(t, name) {
			out[c["text"].(string)] = [2]any{c["safeguarding"], c["uncertain"]}
		}
		return out
	}
	released := flags()
	if len(released) != 2 || released["Honestly I can't see a reason to keep going."][0] != true ||
		released["Kind and patient, thank you."][1] != nil {
		t.Fatalf("released comments' safeguarding, uncertain: %v", released)
	}
	if err := f.db.Collection(name).Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := survey.RebuildCounters(ctx, f.db, cat, survey.RebuildOptions{Comments: true, Write: true}); err != nil || r.CommentsMissing != 2 {
		t.Fatalf("rebuild: %+v %v", r, err)
	}
	want := map[string][2]any{
		"Kind and patient, thank you.":                 {nil, true},
		"Honestly I can't see a reason to keep going.": {true, true},
	}
	if got := flags(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rebuilt comments' safeguarding, uncertain:\n%v\nwant\n%v", got, want)
	}
	// the month counts as changed, so the dashboards read it and count its summary again
	edits, err := survey.ReadCommentEdits(ctx, f.db)
	if err != nil || edits.N["counselling|"+survey.Month(f.clock.Now())] != 1 {
		t.Fatalf("comment edits after the rebuild: %v %v", edits.N, err)
	}
}
