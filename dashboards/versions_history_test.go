package dashboards_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// libraryFixture is a fixture whose surveys come from the survey library, as
// serve's do, so versions can be published while it runs.
func libraryFixture(t *testing.T) (*fixture, *survey.Library) {
	t.Helper()
	f := newFixture(t)
	lib := survey.NewLibrary(f.db, f.clock.Now)
	ctx := context.Background()
	if _, err := lib.Seed(ctx, f.cat); err != nil {
		t.Fatal(err)
	}
	cat := must[*survey.Catalogue](t)(lib.Load(ctx))
	sealer := must[*ballotbox.Sealer](t)(ballotbox.NewSealer(ballotbox.NewKeyring(t.TempDir()), nil, cat))
	f.cat = cat
	f.responses = ballotbox.NewResponses(f.db, ballotbox.Options{Now: f.clock.Now, Sealer: sealer})
	t.Cleanup(f.responses.Close)
	f.releaser = must[*ballotbox.Releaser](t)(ballotbox.NewReleaser(f.db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 1, OpenK: 1, OpenByMonth: true, Now: f.clock.Now, Responses: f.responses}))
	return f, lib
}

// rewordListened publishes counselling with its "listened" question reworded.
func rewordListened(t *testing.T, f *fixture, lib *survey.Library) *survey.Published {
	t.Helper()
	file := must[[]byte](t)(f.def(t, "counselling").File())
	var d survey.Definition
	if err := json.Unmarshal(file, &d); err != nil {
		t.Fatal(err)
	}
	q, _ := d.Question("listened")
	q.Prompt = "Did your counsellor listen to you?"
	p := must[*survey.Published](t)(lib.Publish(context.Background(), must[[]byte](t)(json.Marshal(d)), "lead@example.org"))
	if _, err := lib.Refresh(context.Background(), f.cat); err != nil {
		t.Fatal(err)
	}
	return p
}

// question returns the stats of the question keyed key, figures only.
func question(t *testing.T, st *dashboards.ServiceStats, key string) dashboards.QuestionStats {
	t.Helper()
	for _, q := range st.Questions {
		if q.Key == key {
			q.Versions, q.Scope, q.Short = nil, "", "" // what is known of versions grows; the figures may not
			return q
		}
	}
	t.Fatalf("no question %q in %v", key, st.Questions)
	return dashboards.QuestionStats{}
}

func TestHistory_RewordingAQuestionKeepsEveryEarlierFigure(t *testing.T) {
	f, lib := libraryFixture(t)
	rng := rand.New(rand.NewPCG(19, 19))
	months := monthsBefore(12) // the last is this month, not yet published
	for _, m := range months[:9] {
		f.submit(t, rng, "counselling", m, 12+rng.IntN(10))
	}
	d := f.dashboards(t, 10)
	ctx := context.Background()
	r := dashboards.Range{From: months[0], To: months[10]}
	before := must[*dashboards.ServiceStats](t)(d.Service(ctx, "counselling", r))

	p := rewordListened(t, f, lib)
	d.UseCatalogue(f.cat)
	after := must[*dashboards.ServiceStats](t)(d.Service(ctx, "counselling", r))
	if !reflect.DeepEqual(before.Months, after.Months) || !reflect.DeepEqual(before.Totals, after.Totals) {
		t.Fatalf("publishing changed the months or the 12-month totals:\nbefore %+v\nafter  %+v", before.Totals, after.Totals)
	}
	for _, q := range before.Questions {
		key := q.Key
		if key == "listened" {
			key = oldKey(t, after)
		}
		if b, a := question(t, before, q.Key), question(t, after, key); !reflect.DeepEqual(b.Months, a.Months) || !reflect.DeepEqual(b.Total, a.Total) {
			t.Errorf("question %s changed when %s was reworded", q.Key, "listened")
		}
	}

	// Answers to the new wording, in the two months after the change.
	for _, m := range months[9:11] {
		f.submit(t, rng, "counselling", m, 15)
	}
	later := must[*dashboards.ServiceStats](t)(d.Service(ctx, "counselling", r))
	if !reflect.DeepEqual(before.Months[:9], later.Months[:9]) {
		t.Fatal("answers to the new version changed the months before it")
	}
	old, cur := question(t, later, oldKey(t, later)), question(t, later, "listened")
	for i, m := range months[:11] {
		wantOld := i < 9
		if hasFigures(old, m) != wantOld || hasFigures(cur, m) == wantOld {
			t.Fatalf("%s: old series figures %v, new series figures %v", m, hasFigures(old, m), hasFigures(cur, m))
		}
	}
	if cur.Prompt != "Did your counsellor listen to you?" || old.Prompt == cur.Prompt {
		t.Fatalf("series prompts %q and %q", old.Prompt, cur.Prompt)
	}
	for _, q := range later.Questions {
		if q.ID == "listened" && !strings.Contains(q.Short, "wording") {
			t.Errorf("series %s is not labelled as a wording: %q", q.Key, q.Short)
		}
	}
	if !later.Months[9].VersionChange || later.Months[9].Versions[0] != p.Version {
		t.Errorf("the month of the change is not marked: %+v", later.Months[9])
	}
}

func TestHistory_RollingBackJoinsTheOldSeriesAgain(t *testing.T) {
	f, lib := libraryFixture(t)
	rng := rand.New(rand.NewPCG(3, 3))
	months := monthsBefore(5)
	for _, m := range months[:2] {
		f.submit(t, rng, "counselling", m, 12)
	}
	rewordListened(t, f, lib)
	f.submit(t, rng, "counselling", months[2], 12)
	if _, err := lib.Rollback(context.Background(), "counselling", 1, "lead@example.org"); err != nil {
		t.Fatal(err)
	}
	must[bool](t)(lib.Refresh(context.Background(), f.cat))
	f.submit(t, rng, "counselling", months[3], 12)
	d := f.dashboards(t, 10)
	d.UseCatalogue(f.cat)
	st := must[*dashboards.ServiceStats](t)(d.Service(context.Background(), "counselling", dashboards.Range{From: months[0], To: months[3]}))
	cur, reworded := question(t, st, "listened"), question(t, st, reworded(t, st))
	for i, m := range months[:4] {
		if hasFigures(cur, m) != (i != 2) || hasFigures(reworded, m) != (i == 2) {
			t.Fatalf("%s: first wording %v, second wording %v", m, hasFigures(cur, m), hasFigures(reworded, m))
		}
	}
}

// oldKey is the key of the listened question's earlier wording.
func oldKey(t *testing.T, st *dashboards.ServiceStats) string {
	t.Helper()
	for _, q := range st.Questions {
		if q.ID == "listened" && q.Key != "listened" {
			return q.Key
		}
	}
	t.Fatal("no earlier wording of listened")
	return ""
}

func reworded(t *testing.T, st *dashboards.ServiceStats) string { return oldKey(t, st) }

func hasFigures(q dashboards.QuestionStats, month string) bool {
	for _, m := range q.Months {
		if m.Month == month {
			return m.Figures != nil && m.Figures.Answered > 0
		}
	}
	return false
}
