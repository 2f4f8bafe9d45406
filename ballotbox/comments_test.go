package ballotbox

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// Issue 30: a comment naming its writer's specialty, grade, workplace, a
// person and a date reaches neither the sealed ballot nor the released comment
// with those details, open or invited, in English and in Welsh.
func TestReceive_GeneralisesCommentsBeforeTheyAreSealed(t *testing.T) {
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	sealer, err := NewSealer(NewKeyring(filepath.Join(t.TempDir(), "keyring")), nil, cat)
	if err != nil {
		t.Fatal(err)
	}
	c := clocktest.New(onCalendar(time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)))
	r := NewResponses(db, Options{Now: c.Now, Sealer: sealer})
	t.Cleanup(r.Close)
	ctx := context.Background()
	def, _ := cat.Get("counselling")
	cases := []struct {
		lang, text string
		details    []string
	}{
		{"en", "As the only female orthopaedic registrar at Morriston I was terrified someone would recognise me. Dr Chen rang on Friday 9 May.",
			[]string{"orthopaedic", "registrar", "Morriston", "Chen", "9 May"}},
		{"cy", "Fel yr unig gofrestrydd orthopedig yn Ysbyty Glan Clwyd roedd ofn arna i. Siaradodd Dr Jones â mi.",
			[]string{"Glan Clwyd", "Jones"}},
	}
	for _, tc := range cases {
		for _, verified := range []bool{false, true} {
			issue := r.Keys().Issue
			if verified {
				issue = r.Keys().IssueVerified
			}
			nonce, _ := issue(ctx, "counselling")
			answers := survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: tc.text}}
			if _, err := r.Receive(ctx, Sent{Def: def, Nonces: []string{nonce}, Answers: answers, Lang: tc.lang}); err != nil {
				t.Fatal(err)
			}
			if answers["fft_why"].Text != tc.text {
				t.Fatal("Receive changed the caller's answers")
			}
		}
	}
	// The sealed ballots, opened with the keyring, hold no detail.
	rel, err := NewReleaser(db, cat, ReleaseOptions{Sealer: sealer, K: 1, OpenK: 1, OpenByMonth: true, Now: c.Now, MixWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	op, err := rel.boxes.opener(ctx, monthOn(2026, 10))
	if err != nil {
		t.Fatal(err)
	}
	names, _ := BallotCollections(ctx, db)
	opened := 0
	for _, name := range names {
		if name == guardCollection(monthOn(2026, 10)) {
			continue
		}
		_ = eachBallot(ctx, db.Collection(name), func(d ballotDoc) error {
			plain, err := op.open(d.ID, d.Sealed)
			if err != nil {
				t.Fatal(err)
			}
			opened++
			for _, tc := range cases {
				for _, detail := range tc.details {
					if bytes.Contains(plain, []byte(detail)) {
						t.Errorf("the sealed ballot holds %q", detail)
					}
				}
			}
			return nil
		})
	}
	if opened != 4 {
		t.Fatalf("opened %d ballots, want 4", opened)
	}
	c.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	if _, err := rel.ReleaseDue(ctx); err != nil {
		t.Fatal(err)
	}
	cur, err := db.Collection(survey.CommentsCollection("counselling", monthOn(2026, 10))).Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var comments []survey.Comment
	if err := cur.All(ctx, &comments); err != nil {
		t.Fatal(err)
	}
	if len(comments) != 4 {
		t.Fatalf("%d comments released, want 4", len(comments))
	}
	for _, cm := range comments {
		for _, tc := range cases {
			for _, detail := range tc.details {
				if strings.Contains(cm.Text, detail) {
					t.Errorf("the released comment %q holds %q", cm.Text, detail)
				}
			}
		}
		if !strings.Contains(cm.Text, "terrified") && !strings.Contains(cm.Text, "ofn arna i") {
			t.Errorf("the comment lost its ordinary words: %q", cm.Text)
		}
	}
}
