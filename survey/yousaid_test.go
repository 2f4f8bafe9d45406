package survey_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// monthsAgo is the month n months before the tests' clock's.
func monthsAgo(n int) string {
	now := clocktest.Wall().UTC()
	return survey.Month(time.Date(now.Year(), now.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC))
}

// Issue 33.7: a service keeps one entry a month, the latest first, at most
// MaxYouSaid of them, in one document: the collection does not grow with use.
func TestYouSaid_OneEntryAMonthLatestFirstAndBounded(t *testing.T) {
	lib, _, db := newLibraryOn(t)
	ctx := context.Background()
	for n := survey.MaxYouSaid + 1; n >= 0; n-- {
		if err := lib.SaveYouSaid(ctx, "counselling", survey.YouSaid{Month: monthsAgo(n), English: "Change " + monthsAgo(n)}, "lead@example.org"); err != nil {
			t.Fatal(err)
		}
	}
	// Writing a month again replaces its entry.
	if err := lib.SaveYouSaid(ctx, "counselling", survey.YouSaid{Month: monthsAgo(1), English: "  Longer\r\n\r\n  hours  ", Welsh: "Oriau hirach"}, "other@example.org"); err != nil {
		t.Fatal(err)
	}
	got, err := lib.YouSaid(ctx, "counselling")
	if err != nil || len(got) != survey.MaxYouSaid {
		t.Fatalf("%d entries, %v; want %d", len(got), err, survey.MaxYouSaid)
	}
	if got[0].Month != monthsAgo(0) || got[1].Month != monthsAgo(1) || got[len(got)-1].Month != monthsAgo(survey.MaxYouSaid-1) {
		t.Fatalf("months %s, %s … %s: not the latest %d, latest first", got[0].Month, got[1].Month, got[len(got)-1].Month, survey.MaxYouSaid)
	}
	if got[1].English != "Longer\nhours" || got[1].Welsh != "Oriau hirach" || got[1].By != "other@example.org" {
		t.Fatalf("the rewritten month is %+v", got[1])
	}
	if text, lang := got[0].In(survey.Welsh); lang != survey.English || text != "Change "+monthsAgo(0) {
		t.Fatalf("an entry with no Welsh gives %q in %s on a Welsh page", text, lang)
	}
	if n, err := db.Collection("survey_you_said").CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Fatalf("%d documents for one service, %v", n, err)
	}
	if err := lib.RemoveYouSaid(ctx, "counselling", monthsAgo(0)); err != nil {
		t.Fatal(err)
	}
	if got, _ := lib.YouSaid(ctx, "counselling"); len(got) != survey.MaxYouSaid-1 || got[0].Month != monthsAgo(1) {
		t.Fatalf("after removing the latest: %d entries from %s", len(got), got[0].Month)
	}
}

// Two instances writing the same service keep each other's entries: the
// second reads the first's document again instead of writing over it.
func TestYouSaid_TwoInstancesKeepEachOthersEntries(t *testing.T) {
	lib, _, db := newLibraryOn(t)
	other := survey.NewLibrary(db, clocktest.Wall)
	ctx := context.Background()
	if _, err := other.YouSaid(ctx, "peer-support"); err != nil { // caches "none yet"
		t.Fatal(err)
	}
	if err := lib.SaveYouSaid(ctx, "peer-support", survey.YouSaid{Month: monthsAgo(2), English: "First"}, "a@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := other.SaveYouSaid(ctx, "peer-support", survey.YouSaid{Month: monthsAgo(1), English: "Second"}, "b@example.org"); err != nil {
		t.Fatal(err)
	}
	got, err := lib.YouSaid(ctx, "peer-support")
	if err != nil || len(got) != 2 {
		t.Fatalf("entries %+v, %v: one instance lost the other's", got, err)
	}
}

func TestYouSaid_RefusesWhatBreaksARule(t *testing.T) {
	now := clocktest.Wall()
	next := survey.Month(time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC))
	cases := []struct {
		name  string
		entry survey.YouSaid
		field string
	}{
		{"a month not begun", survey.YouSaid{Month: next, English: "Soon"}, survey.YouSaidMonthField},
		{"no month", survey.YouSaid{English: "Something"}, survey.YouSaidMonthField},
		{"a date, not a month", survey.YouSaid{Month: "2026-11-03", English: "Something"}, survey.YouSaidMonthField},
		{"no English", survey.YouSaid{Month: monthsAgo(1), Welsh: "Rhywbeth"}, survey.YouSaidEnglishField},
		{"English too long", survey.YouSaid{Month: monthsAgo(1), English: strings.Repeat("a", survey.MaxYouSaidLength+1)}, survey.YouSaidEnglishField},
		{"Welsh too long", survey.YouSaid{Month: monthsAgo(1), English: "Fine", Welsh: strings.Repeat("ŵ", survey.MaxYouSaidLength+1)}, survey.YouSaidWelshField},
		{"a control character", survey.YouSaid{Month: monthsAgo(1), English: "Bell\x07"}, survey.YouSaidEnglishField},
	}
	for _, tc := range cases {
		_, err := survey.CleanYouSaid(tc.entry, now)
		if fe, ok := err.(field.Errors); !ok || fe.For(tc.field) == "" {
			t.Errorf("%s: %v, want a problem with %s", tc.name, err, tc.field)
		}
	}
	if _, err := survey.CleanYouSaid(survey.YouSaid{Month: survey.Month(now), English: strings.Repeat("é", survey.MaxYouSaidLength)}, now); err != nil {
		t.Errorf("an entry of exactly %d characters this month: %v", survey.MaxYouSaidLength, err)
	}
}
