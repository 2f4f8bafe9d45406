package survey_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// newLibrary returns a library seeded from the embedded definitions.
func newLibrary(t testing.TB) (*survey.Library, *survey.Catalogue) {
	lib, cat, _ := newLibraryOn(t)
	return lib, cat
}

func newLibraryOn(t testing.TB) (*survey.Library, *survey.Catalogue, *mongo.Database) {
	t.Helper()
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	lib := survey.NewLibrary(db, clocktest.Wall)
	embedded, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := lib.Seed(ctx, embedded); err != nil {
		t.Fatal(err)
	}
	cat, err := lib.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return lib, cat, db
}

// variant is the counselling survey's file changed by edit.
func variant(t testing.TB, cat *survey.Catalogue, edit func(d *survey.Definition)) []byte {
	t.Helper()
	cur, _ := cat.Get("counselling")
	file, err := cur.File()
	if err != nil {
		t.Fatal(err)
	}
	var d survey.Definition
	if err := json.Unmarshal(file, &d); err != nil {
		t.Fatal(err)
	}
	edit(&d)
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func reword(d *survey.Definition) { d.Questions[3].Prompt = "Did your counsellor listen to you?" }

func TestLibrary_SeedsAndExportsTheEmbeddedVersionUnchanged(t *testing.T) {
	lib, cat := newLibrary(t)
	embedded, _ := survey.LoadEmbedded()
	for _, want := range embedded.All() {
		got, ok := cat.Get(want.Service)
		if !ok || got.Version != want.Version {
			t.Fatalf("%s: library serves %v, want version %s", want.Service, got, want.Version)
		}
	}
	// Seeding again adds nothing.
	if _, err := lib.Seed(context.Background(), embedded); err != nil {
		t.Fatal(err)
	}
	h, _ := lib.History(context.Background(), "counselling")
	if len(h) != 1 || h[0].Number != 1 || h[0].By != "seed" {
		t.Fatalf("history after two seeds = %+v", h)
	}
}

func TestLibrary_PublishKeepsEveryVersionAndRefreshFollows(t *testing.T) {
	lib, cat := newLibrary(t)
	ctx := context.Background()
	old, _ := cat.Get("counselling")
	p, err := lib.Publish(ctx, variant(t, cat, reword), "lead@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if p.Number != 2 || p.Version == old.Version {
		t.Fatalf("published %d %s", p.Number, p.Version)
	}
	if changed, err := lib.Refresh(ctx, cat); err != nil || !changed {
		t.Fatalf("refresh: changed %v, %v", changed, err)
	}
	if cur, _ := cat.Get("counselling"); cur.Version != p.Version {
		t.Fatalf("current is %s, want %s", cur.Version, p.Version)
	}
	if d, ok := cat.Version("counselling", old.Version); !ok || d.Questions[3].Prompt != old.Questions[3].Prompt {
		t.Fatal("the earlier version is no longer known")
	}
	if a := cat.Archive(); len(a) != 1 || a[0].Version != old.Version {
		t.Fatalf("archive = %v", a)
	}
	if _, err := lib.Publish(ctx, variant(t, cat, func(*survey.Definition) {}), "cli"); !errors.Is(err, survey.ErrUnchanged) {
		t.Fatalf("publishing the current version again: %v, want ErrUnchanged", err)
	}
	// Roll back: version 1 again, as number 3, under its old version hash.
	back, err := lib.Rollback(ctx, "counselling", 1, "lead@example.org")
	if err != nil || back.Number != 3 || back.Version != old.Version {
		t.Fatalf("rollback = %+v, %v", back, err)
	}
	_, _ = lib.Refresh(ctx, cat)
	if cur, _ := cat.Get("counselling"); cur.Version != old.Version {
		t.Fatal("rollback not served")
	}
	if _, ok := cat.Version("counselling", p.Version); !ok {
		t.Fatal("the rolled-back version is no longer known")
	}
}

func TestLibrary_TwoPublishersAtOnceOneWins(t *testing.T) {
	lib, cat := newLibrary(t)
	ctx := context.Background()
	a := variant(t, cat, reword)
	b := variant(t, cat, func(d *survey.Definition) { d.Questions[2].Prompt = "How easy was it to reach us?" })
	// Both drafted from number 1.
	if _, err := lib.PublishOver(ctx, a, "one@example.org", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.PublishOver(ctx, b, "two@example.org", 1); !errors.Is(err, survey.ErrPublishConflict) {
		t.Fatalf("second publisher: %v, want ErrPublishConflict", err)
	}
	if h, _ := lib.History(ctx, "counselling"); len(h) != 2 || h[1].By != "one@example.org" {
		t.Fatalf("history = %+v", h)
	}
}

func TestLibrary_PublishRefusesBadDefinitionsNamingTheField(t *testing.T) {
	lib, cat, db := newLibraryOn(t)
	ctx := context.Background()
	// A counted answer of "easy" to the ease question.
	_, err := db.Collection("counters").InsertOne(ctx, bson.D{
		{Key: "_id", Value: "counselling|x|" + lastMonth() + "|open"}, {Key: "service", Value: "counselling"}, {Key: "version", Value: "x"},
		{Key: "month", Value: lastMonth()}, {Key: "n", Value: 1}, {Key: "a", Value: bson.D{{Key: "ease", Value: bson.D{{Key: "easy", Value: 1}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	extra := survey.Question{ID: "extra", Short: "Extra", Kind: survey.YesNo, Prompt: "Was it quick?"}
	cases := []struct {
		name, field string
		file        []byte
	}{
		{"invalid JSON", "definition", []byte(`{"service": "counselling",`)},
		{"FFT question changed", "questions[0]", variant(t, cat, func(d *survey.Definition) { d.Questions[0].Prompt = "How was it?" })},
		{"duplicate id", "questions[3].id", variant(t, cat, func(d *survey.Definition) { d.Questions[3].ID = "ease" })},
		{"nine questions", "questions", variant(t, cat, func(d *survey.Definition) {
			for i := 0; len(d.Questions) < 9; i++ {
				q := extra
				q.ID = "extra" + string(rune('a'+i))
				d.Questions = append(d.Questions, q)
			}
		})},
		{"option with answers removed", "questions[2].options", variant(t, cat, func(d *survey.Definition) {
			delete(d.Questions[2].Cy.Options, d.Questions[2].Options[1].Value) // and its Welsh
			d.Questions[2].Options = append(d.Questions[2].Options[:1], d.Questions[2].Options[2:]...)
		})},
		{"over two minutes", "questions", variant(t, cat, func(d *survey.Definition) {
			d.Questions[5].Hint = "Think about everything that was going on for you at the time, at work and at home, " +
				"in training and outside it, and about anything at all that changed for you after you had talked to us " +
				"on the telephone or by video, whether it was large or small, soon afterwards or some weeks later."
			d.Questions = append(d.Questions, survey.Question{ID: "more", Short: "More", Kind: survey.Text, Prompt: "Anything else?", MaxLength: 500})
		})},
		{"identifying question", "questions[4].prompt", variant(t, cat, func(d *survey.Definition) {
			d.Questions[4].Prompt = "Which hospital do you work in, and how likely are you to recommend us?"
		})},
		{"prompt missing", "questions[2].prompt", variant(t, cat, func(d *survey.Definition) { d.Questions[2].Prompt = "" })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := lib.Publish(ctx, c.file, "lead@example.org")
			var de *survey.DefinitionError
			if !errors.As(err, &de) || de.Field != c.field {
				t.Fatalf("err = %v (%#v), want a DefinitionError on %s", err, de, c.field)
			}
		})
	}
	if h, _ := lib.History(ctx, "counselling"); len(h) != 1 {
		t.Fatalf("%d versions after refused publishes, want 1", len(h))
	}
}

func TestParseDefinition_RefusesWordingThatCouldIdentifySomeone(t *testing.T) {
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for prompt, refused := range map[string]bool{
		"What is your name?":                              true,
		"Which hospital do you work at?":                  true,
		"What is your GMC number?":                        true,
		"Please give your email so we can follow up.":     true,
		"Which age group are you in?":                     true,
		"What is your specialty?":                         true,
		"Did you feel you could trust your counsellor?":   false,
		"How easy was it to get support from us?":         false,
		"Did the counsellor understand your work?":        false,
		"How would you grade the time you waited for us?": false,
	} {
		file := variant(t, cat, func(d *survey.Definition) { d.Questions[2].Prompt = prompt })
		_, err = survey.ParseDefinition(file)
		var de *survey.DefinitionError
		if got := errors.As(err, &de) && de.Field == "questions[2].prompt"; got != refused {
			t.Errorf("%q: refused %v (%v), want %v", prompt, got, err, refused)
		}
	}
}
