package survey_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

func TestWords_SplitsOnSpacesAndPunctuationKeepingNamesWhole(t *testing.T) {
	var got []string
	for _, w := range survey.Words("Dr O'Neill, at Stoke-on-Trent — ward 7B… [grade] ‘mostly’ fine.") {
		got = append(got, w.Text)
	}
	want := []string{"Dr", "O'Neill", "at", "Stoke-on-Trent", "ward", "7B", "grade", "mostly", "fine"}
	if !slices.Equal(got, want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
}

func TestRemoveWords_ReplacesOnlyThePickedWords(t *testing.T) {
	text := "Dr. Amara Okafor on ward 7B was kind, and Sam too."
	for _, tc := range []struct {
		picked []int
		want   string
	}{
		{[]int{1, 2}, "Dr. [removed] on ward 7B was kind, and Sam too."},
		{[]int{0, 1, 2}, "[removed] on ward 7B was kind, and Sam too."}, // one marker for a whole name
		{[]int{5, 9}, "Dr. Amara Okafor on ward [removed] was kind, and [removed] too."},
		{[]int{10}, "Dr. Amara Okafor on ward 7B was kind, and Sam [removed]."},
	} {
		got, err := survey.RemoveWords(text, tc.picked)
		if err != nil || got != tc.want {
			t.Errorf("RemoveWords(%v) = %q, %v; want %q", tc.picked, got, err, tc.want)
		}
		if !survey.IsRedactionOf(text, got) {
			t.Errorf("IsRedactionOf(%q) = false for RemoveWords' own result", got)
		}
	}
	for _, bad := range [][]int{nil, {-1}, {11}} {
		if _, err := survey.RemoveWords(text, bad); !errors.Is(err, survey.ErrRedaction) {
			t.Errorf("RemoveWords(%v): %v, want ErrRedaction", bad, err)
		}
	}
}

func TestIsRedactionOf_RefusesAnythingButRemovals(t *testing.T) {
	original := "Seen by Dr Chen in Derby, very kind"
	for redacted, want := range map[string]bool{
		"Seen by [removed] in [removed], very kind":      true,
		"[removed], very kind":                           true,
		"Seen by Dr Chen in Derby, very [removed]":       true,
		"Seen by Dr Chen in Derby, very kind":            false, // nothing removed
		"Seen by [removed] in Leeds, very kind":          false, // a word added
		"Seen by [removed] in Derby, very kind!":         false, // punctuation added
		"Seen by [removed] Dr Chen in Derby":             false, // a marker removing nothing
		"very kind [removed] Seen by":                    false, // words moved
		"Seen by [removed][removed] in Derby, very kind": true,  // still only removals
		"[removed]": true,
	} {
		if got := survey.IsRedactionOf(original, redacted); got != want {
			t.Errorf("IsRedactionOf(%q) = %v, want %v", redacted, got, want)
		}
	}
}

func TestModerateComment_ChangesOnlyAWaitingCommentOnce(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).Database(store.SurveyDatabase)
	month := thisMonth()
	coll := db.Collection(survey.CommentsCollection("counselling", month))
	docs := []any{
		survey.Comment{ID: "u1", Service: "counselling", Month: month, Question: "q", Text: "Dr Chen was kind", Uncertain: true},
		survey.Comment{ID: "c1", Service: "counselling", Month: month, Question: "q", Text: "Kind people"},
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := survey.ModerateComment(ctx, db, "counselling", month, "u1", survey.Redacted, "Dr Chen was lovely"); !errors.Is(err, survey.ErrRedaction) {
		t.Fatalf("a redaction adding a word: %v", err)
	}
	if err := survey.ModerateComment(ctx, db, "counselling", month, "c1", survey.Approved, ""); !errors.Is(err, survey.ErrNoCommentToModerate) {
		t.Fatalf("moderating a certain comment: %v", err)
	}
	if err := survey.ModerateComment(ctx, db, "counselling", month, "u1", survey.Redacted, "[removed] was kind"); err != nil {
		t.Fatal(err)
	}
	if err := survey.ModerateComment(ctx, db, "counselling", month, "u1", survey.Approved, ""); !errors.Is(err, survey.ErrNoCommentToModerate) {
		t.Fatalf("a second decision: %v", err)
	}
	got, err := survey.ReadComments(ctx, db, "counselling", month)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if c.ID == "u1" && (c.Text != "[removed] was kind" || c.Moderated != survey.Redacted || c.AwaitsModeration()) {
			t.Errorf("moderated comment %+v", c)
		}
		if c.ID == "c1" && (c.Text != "Kind people" || c.Moderated != "") {
			t.Errorf("certain comment changed: %+v", c)
		}
	}
	edits, err := survey.ReadCommentEdits(ctx, db)
	if err != nil || edits.N["counselling|"+month] != 1 || len(edits.Raw) != 1 {
		t.Fatalf("comment edits %+v, %v", edits, err)
	}
	months, err := survey.CommentMonths(ctx, db, []string{"counselling", "peer-support"})
	if err != nil || !slices.Equal(months["counselling"], []string{month}) || len(months["peer-support"]) != 0 {
		t.Fatalf("CommentMonths = %v, %v", months, err)
	}
}
