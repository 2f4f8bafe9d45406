package dashboards_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// written is the day these tests were written for; today is where their clock
// starts: written, or FEEDBACK_TEST_NOW.
var (
	written = time.Date(2026, 11, 24, 14, 10, 0, 0, time.UTC)
	today   = clocktest.Start(written)
)

// onCalendar moves a time the tests name, written for November 2026 and the
// months around it, to the same place in the month the clock starts in.
func onCalendar(t time.Time) time.Time { return clocktest.Shift(written, t) }

// monthOf is the month the tests name as y-m, on the same calendar.
func monthOf(y int, m time.Month) string {
	return survey.Month(onCalendar(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)))
}

type fixture struct {
	db        *mongo.Database
	cat       *survey.Catalogue
	clock     *clocktest.Clock
	responses *ballotbox.Responses
	releaser  *ballotbox.Releaser
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	c := clocktest.New(today)
	sealer, err := ballotbox.NewSealer(ballotbox.NewKeyring(filepath.Join(t.TempDir(), "keyring")), nil, cat)
	if err != nil {
		t.Fatal(err)
	}
	r := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer})
	t.Cleanup(r.Close)
	// The release's K is 1 here, so that buckets below the dashboards' K exist
	// and the dashboards' own disclosure rule is what these tests check.
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 1, OpenK: 1, OpenByMonth: true, Now: c.Now, Responses: r})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, cat: cat, clock: c, responses: r, releaser: rel}
}

// dashboards returns fresh dashboards that read the counters on every call.
func (f *fixture) dashboards(t testing.TB, k int) *dashboards.Dashboards {
	t.Helper()
	// The fixture's clock, ticking, so loaded counters age.
	start := time.Now()
	now := func() time.Time { return f.clock.Now().Add(time.Since(start)) }
	d, err := dashboards.New(f.db, f.cat, dashboards.Options{K: k, MaxAge: time.Nanosecond, CommentsMaxAge: time.Nanosecond, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) def(t testing.TB, service string) *survey.Definition {
	t.Helper()
	d, ok := f.cat.Get(service)
	if !ok {
		t.Fatalf("no survey for %s", service)
	}
	return d
}

// submit stores n random responses to service in month (YYYY-MM) through the
// same code as real submissions, a few at a time.
func (f *fixture) submit(t testing.TB, rng *rand.Rand, service, month string, n int) {
	t.Helper()
	m, err := time.Parse(survey.MonthLayout, month)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(m.AddDate(0, 0, 14).Add(10 * time.Hour))
	defer f.clock.Set(today)
	def := f.def(t, service)
	answers := make([]survey.Answers, n)
	for i := range answers {
		answers[i] = randomAnswers(rng, def)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for _, a := range answers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			nonce, err := f.responses.Keys().IssueVerified(ctx, service)
			if err == nil {
				_, err = f.responses.Submit(ctx, def, nonce, a)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Counters and comments are written when the month's ballots are released.
	if _, err := f.releaser.Release(ctx, month); err != nil {
		t.Fatal(err)
	}
}

var comments = []string{
	"Really helped me through a hard rotation.", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>",
	"Waited too long for a call back.", "The counsellor listened.", "+44 was removed", "-minus first",
	"@mention", "Kind and practical.", "I felt understood.",
}

func randomAnswers(rng *rand.Rand, def *survey.Definition) survey.Answers {
	a := survey.Answers{}
	for _, q := range def.Questions {
		if q.ID != survey.FFTQuestionID && rng.IntN(5) == 0 {
			continue // unanswered
		}
		switch q.Kind {
		case survey.Text:
			a[q.ID] = survey.Answer{Text: comments[rng.IntN(len(comments))] + " " + strconv.Itoa(rng.IntN(1000))}
		case survey.Likelihood:
			a[q.ID] = survey.Answer{Number: rng.IntN(11)}
		case survey.Multiple:
			var cs []string
			for _, o := range q.Options {
				if rng.IntN(2) == 0 {
					cs = append(cs, o.Value)
				}
			}
			if len(cs) == 0 {
				cs = []string{q.Options[0].Value}
			}
			a[q.ID] = survey.Answer{Choices: cs}
		default:
			a[q.ID] = survey.Answer{Choice: q.Options[rng.IntN(len(q.Options))].Value}
		}
	}
	return a
}

// counterDoc is a bucket's counters built the way survey builds them.
type counterDoc struct {
	service, version, month string
	n                       int64
	q                       map[string]int64
	a                       map[string]map[string]int64
}

func newCounterDoc(service, version, month string) *counterDoc {
	return &counterDoc{service: service, version: version, month: month, q: map[string]int64{}, a: map[string]map[string]int64{}}
}

func (c *counterDoc) add(def *survey.Definition, ans survey.Answers) {
	c.n++
	for _, q := range def.Questions {
		a, ok := ans[q.ID]
		if !ok {
			continue
		}
		c.q[q.ID]++
		var vals []string
		switch q.Kind {
		case survey.Text:
		case survey.Likelihood:
			vals = []string{strconv.Itoa(a.Number)}
		case survey.Multiple:
			vals = a.Choices
		default:
			vals = []string{a.Choice}
		}
		for _, v := range vals {
			if c.a[q.ID] == nil {
				c.a[q.ID] = map[string]int64{}
			}
			c.a[q.ID][v]++
		}
	}
}

// write replaces the bucket's counter document, as if the counters said so.
func (c *counterDoc) write(t testing.TB, db *mongo.Database) {
	t.Helper()
	id := c.service + "|" + c.version + "|" + c.month
	doc := bson.D{
		{Key: "_id", Value: id}, {Key: "service", Value: c.service}, {Key: "version", Value: c.version},
		{Key: "month", Value: c.month}, {Key: "n", Value: c.n}, {Key: "q", Value: c.q}, {Key: "a", Value: c.a},
	}
	_, err := db.Collection("counters").ReplaceOne(context.Background(), bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		t.Fatal(err)
	}
}

func (c *counterDoc) delete(t testing.TB, db *mongo.Database) {
	t.Helper()
	id := c.service + "|" + c.version + "|" + c.month
	if _, err := db.Collection("counters").DeleteOne(context.Background(), bson.D{{Key: "_id", Value: id}}); err != nil {
		t.Fatal(err)
	}
}

// monthsBefore is n months in order, the last the newest whose release is not
// yet due: today's month, or in a month's first 36 hours the one just ended,
// so that the one before the last, which tests expect published, is due.
func monthsBefore(n int) []string {
	var out []string
	y, m, _ := today.Add(-ballotbox.DefaultReleaseGrace).Date()
	for i := n - 1; i >= 0; i-- {
		out = append(out, survey.Month(time.Date(y, m-time.Month(i), 1, 0, 0, 0, 0, time.UTC)))
	}
	return out
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

var _ = fmt.Sprint

type mongoCursor = mongo.Cursor
