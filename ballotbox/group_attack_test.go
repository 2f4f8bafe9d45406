package ballotbox_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// groupFixture releases with the service's own rules (K of 10, open answers
// by quarter in groups of 5×K): no test switch is set.
type groupFixture struct {
	db        *mongo.Database
	clock     *clocktest.Clock
	responses *ballotbox.Responses
	rel       *ballotbox.Releaser
	cat       *survey.Catalogue
}

func newGroupFixture(t *testing.T, archive ...*survey.Definition) *groupFixture {
	t.Helper()
	db := storetest.New(t).Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	sealer := newSealer(t)
	for _, d := range archive {
		sealer.Fit(d)
	}
	c := clocktest.New(onQuarter(time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)))
	r := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer})
	t.Cleanup(r.Close)
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, Now: c.Now, Responses: r, Archive: archive, MixWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &groupFixture{db: db, clock: c, responses: r, rel: rel, cat: cat}
}

// send stores n answers to d, verified or open, each with comment text.
func (f *groupFixture) send(t *testing.T, d *survey.Definition, n int, verified bool, text string) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		issue := f.responses.Keys().Issue
		if verified {
			issue = f.responses.Keys().IssueVerified
		}
		nonce, err := issue(ctx, d.Service)
		if err != nil {
			t.Fatal(err)
		}
		answers := survey.Answers{"fft": {Choice: "poor"}, "listened": {Choice: "no"}, "fft_why": {Text: fmt.Sprintf("%s %d", text, i)}}
		if _, err := f.responses.Submit(ctx, d, nonce, answers); err != nil {
			t.Fatal(err)
		}
	}
}

// onQuarter moves a time these tests name, written for the quarter from
// October to December 2026, by whole quarters to the quarter FEEDBACK_TEST_NOW
// starts in: open answers are published by quarter, so the tests need the
// month's place in its quarter, not only in the month (clocktest.Shift).
func onQuarter(t time.Time) time.Time {
	s := clocktest.Start(calendarWritten).UTC()
	w := calendarWritten // October: a quarter's first month
	months := (s.Year()-w.Year())*12 + int(s.Month()) - int(w.Month())
	months -= ((months % 3) + 3) % 3 // whole quarters, rounded down
	return t.AddDate(0, months, 0)   // the days named are the 1st to the 5th: no month overflows
}

// quarterMonth is the month a test names as y-m, on onQuarter's calendar.
func quarterMonth(y int, m time.Month) string {
	return survey.Month(onQuarter(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)))
}

// releaseMonth moves the clock to 36 hours after month's end and releases.
func (f *groupFixture) releaseMonth(t *testing.T, month string) {
	t.Helper()
	start, _ := time.Parse(survey.MonthLayout, month)
	f.clock.Set(start.AddDate(0, 1, 0).Add(ballotbox.DefaultReleaseGrace + time.Hour))
	if _, err := f.rel.ReleaseDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// written counts the responses and lists the comments written that match
// filter; a comment of an open response has no verified field at all.
func (f *groupFixture) written(t *testing.T, filter bson.D) (responses int64, comments []string) {
	t.Helper()
	ctx := context.Background()
	n, err := f.db.Collection("responses").CountDocuments(ctx, filter)
	commentFilter := bson.D{}
	for _, e := range filter {
		if e.Key == "verified" && e.Value == false {
			e.Value = bson.D{{Key: "$ne", Value: true}}
		}
		commentFilter = append(commentFilter, e)
	}
	if err != nil {
		t.Fatal(err)
	}
	names, _ := f.db.ListCollectionNames(ctx, bson.D{})
	for _, name := range names {
		if !strings.HasPrefix(name, "comments_") {
			continue
		}
		cur, _ := f.db.Collection(name).Find(ctx, commentFilter)
		for cur.Next(ctx) {
			comments = append(comments, cur.Current.Lookup("text").StringValue())
		}
	}
	return n, comments
}

// Issue 31's padding attack: one person's open answer, and nine of the
// attacker's around it, would have made a published group of 10. Open
// answers are published only by quarter and in groups of 5×K: nothing of the
// quarter is written, in any month, while the group is that small.
func TestGroupAttack_OpenAnswersCannotBePaddedIntoAPublishedGroup(t *testing.T) {
	f := newGroupFixture(t)
	def, _ := f.cat.Get("counselling")
	f.send(t, def, 1, false, "victim")
	f.send(t, def, 9, false, "padding")
	f.send(t, def, 12, true, "verified") // verified answers release as usual
	f.releaseMonth(t, quarterMonth(2026, 10))
	f.send(t, def, 20, false, "more padding") // into the next month's box
	f.releaseMonth(t, quarterMonth(2026, 11))
	f.releaseMonth(t, quarterMonth(2026, 12)) // the quarter's end: 30 open, under 50
	open, comments := f.written(t, bson.D{{Key: "verified", Value: false}})
	if open != 0 || len(comments) != 0 {
		t.Fatalf("%d open responses and comments %q published from a group under 5×K", open, comments)
	}
	if n, _ := f.written(t, bson.D{{Key: "verified", Value: true}}); n != 12 {
		t.Fatalf("%d verified responses written, want 12", n)
	}
	// Enough open answers in the next quarter's last month: all 50 written,
	// dated that month, none before.
	f.send(t, def, 20, false, "busy")
	f.releaseMonth(t, quarterMonth(2027, 1))
	f.releaseMonth(t, quarterMonth(2027, 2))
	f.releaseMonth(t, quarterMonth(2027, 3))
	open, comments = f.written(t, bson.D{{Key: "verified", Value: false}, {Key: "month", Value: quarterMonth(2027, 3)}})
	if open != 50 || len(comments) != 50 {
		t.Fatalf("%d open responses (%d comments) in the next quarter's last month, want the quarter's 50", open, len(comments))
	}
}

// Verified and open answers are counted apart for K: 6 verified answers
// beside 60 open ones in a quarter's last month are carried, not written.
// (Fails if the release counts both sources together for the K check.)
func TestGroupAttack_ASmallVerifiedGroupDoesNotHideBehindOpenAnswers(t *testing.T) {
	f := newGroupFixture(t)
	f.clock.Set(onQuarter(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)))
	def, _ := f.cat.Get("counselling")
	f.send(t, def, 6, true, "few verified")
	f.send(t, def, 60, false, "many open")
	f.releaseMonth(t, quarterMonth(2026, 12))
	if n, comments := f.written(t, bson.D{{Key: "verified", Value: true}}); n != 0 || len(comments) != 0 {
		t.Fatalf("%d verified responses written from a group of 6 (comments %q)", n, comments)
	}
	if n, _ := f.written(t, bson.D{{Key: "verified", Value: false}}); n != 60 {
		t.Fatalf("%d open responses written, want 60", n)
	}
}

// Issue 31's mid-month edit: eleven answers before a rewording and one after.
// The release writes no counter, response or comment of the new version for
// that one answer: it is counted with the larger version where the question
// is asked alike, and left out where it was reworded.
func TestGroupAttack_AVersionWithFewerThanKAnswersIsNotWrittenApart(t *testing.T) {
	raw, err := os.ReadFile("../survey/definitions/counselling.json")
	if err != nil {
		t.Fatal(err)
	}
	reworded := strings.Replace(string(raw), "Did you feel listened to by your counsellor?", "Did your counsellor listen to you?", 1)
	edited, err := survey.Load(fstest.MapFS{"defs/counselling.json": {Data: []byte(reworded)}}, "defs")
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := edited.Get("counselling")
	f := newGroupFixture(t, v2)
	v1, _ := f.cat.Get("counselling")
	if v1.Version == v2.Version {
		t.Fatal("the rewording made no new version")
	}
	f.send(t, v1, 11, true, "before")
	f.send(t, v2, 1, true, "after the edit")
	f.releaseMonth(t, quarterMonth(2026, 10))
	if n, comments := f.written(t, bson.D{{Key: "version", Value: v2.Version}}); n != 0 || len(comments) != 0 {
		t.Fatalf("%d responses and comments %q written under the version with one answer", n, comments)
	}
	ctx := context.Background()
	cur, err := f.db.Collection("counters").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var counters []survey.CounterDoc
	if err := cur.All(ctx, &counters); err != nil {
		t.Fatal(err)
	}
	if len(counters) != 1 || counters[0].Version != v1.Version || counters[0].N != 12 {
		t.Fatalf("counters %+v, want one of version %s with n 12", counters, v1.Version)
	}
	// The reworded question's one answer is left out; the unchanged ones count.
	if got := counters[0].A["listened"]["no"]; got != 11 {
		t.Fatalf("listened: no counted %d times, want the 11 answers to that wording", got)
	}
	if got := counters[0].A["fft"]["poor"]; got != 12 {
		t.Fatalf("fft: poor counted %d times, want 12", got)
	}
}
