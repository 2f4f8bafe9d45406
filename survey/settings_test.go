package survey_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

func TestPractitionerNames_AreKeptTrimmedOnceEachAndSorted(t *testing.T) {
	lib, _, db := newLibraryOn(t)
	ctx := context.Background()
	if names, err := lib.PractitionerNames(ctx); err != nil || len(names) != 0 {
		t.Fatalf("a new library lists %v, %v", names, err)
	}
	in := []string{"  Ffion Prydderch ", "", "Siân O'Neill-Jones", "ffion  prydderch", "Aled ap Rhys"}
	if err := lib.SetPractitionerNames(ctx, in, "admin@example.org"); err != nil {
		t.Fatal(err)
	}
	names, err := lib.PractitionerNames(ctx)
	want := []string{"Aled ap Rhys", "Ffion Prydderch", "Siân O'Neill-Jones"}
	if err != nil || !slices.Equal(names, want) {
		t.Fatalf("names %q, %v; want %q", names, err, want)
	}
	var doc bson.M
	if err := db.Collection("survey_settings").FindOne(ctx, bson.D{{Key: "_id", Value: "practitioner_names"}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"_id", "by", "month", "names"}) || doc["by"] != "admin@example.org" {
		t.Fatalf("settings document %v: only the names, the month and who", doc)
	}
	if err := lib.SetPractitionerNames(ctx, nil, "admin@example.org"); err != nil {
		t.Fatal(err)
	}
	if names, _ := lib.PractitionerNames(ctx); len(names) != 0 {
		t.Fatalf("after clearing: %v", names)
	}
}

func TestPractitionerNames_RefuseABadLineOnTheField(t *testing.T) {
	lib, _ := newLibrary(t)
	ctx := context.Background()
	for _, bad := range [][]string{
		{"Ffion Prydderch", "F"},
		{"Dr. Jones"},
		{"Agent 007"},
		{strings.Repeat("a", 61)},
		{"--"},
		manyNames(survey.MaxPractitionerNames + 1),
	} {
		err := lib.SetPractitionerNames(ctx, bad, "admin@example.org")
		var problems field.Errors
		if !errors.As(err, &problems) || problems.For(survey.NamesField) == "" {
			t.Errorf("%.40q: got %v, want an error on the names field", bad, err)
		}
	}
	if names, _ := lib.PractitionerNames(ctx); len(names) != 0 {
		t.Fatalf("a refused list was saved: %v", names)
	}
}

func manyNames(n int) []string {
	var out []string
	for i := range n {
		out = append(out, "Name "+strings.Repeat("x", i/26+1)+string(rune('a'+i%26)))
	}
	return out
}
