package ballotbox_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

type fixture struct {
	db        *mongo.Database
	responses *ballotbox.Responses
	releaser  *ballotbox.Releaser
	def       *survey.Definition
	clock     *clocktest.Clock
	sealer    *ballotbox.Sealer // for more instances on the same store
}

// newSealer returns a sealer with a fresh keyring for the embedded surveys.
func newSealer(t testing.TB) *ballotbox.Sealer {
	t.Helper()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ballotbox.NewSealer(ballotbox.NewKeyring(filepath.Join(t.TempDir(), "keyring")), nil, cat)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// counselling is the embedded counselling survey.
func counselling(t testing.TB) *survey.Definition {
	t.Helper()
	c, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Get("counselling")
	return d
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	// A weekday afternoon, or FEEDBACK_TEST_NOW: every test here takes its
	// months and days from the clock.
	c := clocktest.NewAt(time.Date(2026, 11, 24, 14, 10, 0, 0, time.UTC))
	sealer := newSealer(t)
	r := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer})
	t.Cleanup(r.Close)
	cat, _ := survey.LoadEmbedded()
	// K of 1 here, to test the mechanics; the carrying of small groups has tests of its own.
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 1, OpenK: 1, OpenByMonth: true, Now: c.Now, Responses: r})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, responses: r, releaser: rel, def: counselling(t), clock: c, sealer: sealer}
}

// firstSecondAfter is the first second of the UTC month after t's.
func firstSecondAfter(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month()+1, 1, 0, 0, 1, 0, time.UTC)
}

// commentsCollectionName is the name comments of a month are stored under,
// written out here (not survey.CommentsCollection) so the tests pin it.
func commentsCollectionName(service string, month time.Time) string {
	return fmt.Sprintf("comments_%s_%04d_%02d", service, month.UTC().Year(), int(month.UTC().Month()))
}

// releaseAll releases every box now, due or not.
func (f *fixture) releaseAll(t testing.TB) {
	t.Helper()
	boxes, err := ballotbox.PendingBoxes(context.Background(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boxes {
		if _, err := f.releaser.Release(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) nonce(t testing.TB) string {
	t.Helper()
	n, err := f.responses.Keys().Issue(context.Background(), f.def.Service)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) submit(t testing.TB, nonce string, answers survey.Answers) ballotbox.Outcome {
	t.Helper()
	out, err := f.responses.Submit(context.Background(), f.def, nonce, answers)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// all reads a collection whole; responses, counters and comments after
// releasing every box.
func (f *fixture) all(t testing.TB, collection string) []bson.M {
	t.Helper()
	if !slices.Contains([]string{"keys", "ballots", "ballot_boxes"}, collection) {
		f.releaseAll(t)
	}
	asMaps := options.Collection().SetBSONOptions(&options.BSONOptions{DefaultDocumentM: true})
	cur, err := f.db.Collection(collection, asMaps).Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.M
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	return docs
}

func TestSubmit_StoresOnlyTheAllowedFieldsAMonthAndARandomID(t *testing.T) {
	f := newFixture(t)
	answers, ve := f.def.ParseForm(map[string][]string{"fft": {"good"}, "fft_why": {"Fine. Ring 07700 900123"}, "recommend": {"9"}, "helped": {"work"}})
	if ve != nil {
		t.Fatal(ve)
	}
	if out := f.submit(t, f.nonce(t), answers); out != ballotbox.Stored {
		t.Fatalf("outcome %v", out)
	}
	docs := f.all(t, "responses")
	if len(docs) != 1 {
		t.Fatalf("%d responses stored", len(docs))
	}
	doc := docs[0]
	var keys []string
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := slices.Clone(survey.ResponseFields)
	sort.Strings(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("stored fields %v, want exactly %v", keys, want)
	}
	id, ok := doc["_id"].(string)
	if raw, err := hex.DecodeString(id); !ok || err != nil || len(raw) != 16 {
		t.Fatalf("_id %#v is not 128 random bits as hex (an ObjectId would carry a timestamp)", doc["_id"])
	}
	if doc["month"] != survey.Month(f.clock.Now()) || doc["service"] != "counselling" || doc["version"] != f.def.Version {
		t.Fatalf("doc %v", doc)
	}
	got := doc["answers"].(bson.M)
	if got["fft"] != "good" || got["recommend"] != int32(9) || got["fft_why"] != "Fine. Ring [phone number removed]" {
		t.Fatalf("answers %v", got)
	}
}

func TestSubmit_NothingInTheSurveyDatabaseCarriesATimeFinerThanTheMonth(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "ok"}})
	}
	for _, coll := range []string{"responses", "counters", survey.CommentsCollection("counselling", survey.Month(f.clock.Now()))} {
		for _, doc := range f.all(t, coll) {
			walk(doc, func(path string, v any) {
				switch v.(type) {
				case bson.DateTime, bson.Timestamp, bson.ObjectID, time.Time:
					t.Errorf("%s: %s holds a %T", coll, path, v)
				case string:
					if s := v.(string); len(s) >= 10 && s[4] == '-' && s[7] == '-' {
						t.Errorf("%s: %s looks like a date: %q", coll, path, s)
					}
				}
			})
		}
	}
}

func walk(v any, fn func(path string, v any)) {
	var rec func(string, any)
	rec = func(p string, v any) {
		fn(p, v)
		switch x := v.(type) {
		case bson.M:
			for k, e := range x {
				rec(p+"."+k, e)
			}
		case bson.D:
			for _, e := range x {
				rec(p+"."+e.Key, e.Value)
			}
		case bson.A:
			for i, e := range x {
				rec(fmt.Sprintf("%s[%d]", p, i), e)
			}
		}
	}
	rec("", v)
}

func TestSubmit_SameFormIsStoredOnceHoweverOftenItIsSent(t *testing.T) {
	f := newFixture(t)
	nonce := f.nonce(t)
	a := survey.Answers{"fft": {Choice: "poor"}}
	if out := f.submit(t, nonce, a); out != ballotbox.Stored {
		t.Fatalf("first: %v", out)
	}
	if out := f.submit(t, nonce, survey.Answers{"fft": {Choice: "very_good"}}); out != ballotbox.AlreadyReceived {
		t.Fatalf("replay with other answers: %v", out)
	}
	// Many copies of another form at once, as from a phone retrying on a bad signal.
	second := f.nonce(t)
	var wg sync.WaitGroup
	var stored atomic.Int32
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if f.submit(t, second, a) == ballotbox.Stored {
				stored.Add(1)
			}
		}()
	}
	wg.Wait()
	if stored.Load() != 1 {
		t.Fatalf("%d of 20 concurrent copies reported stored, want 1", stored.Load())
	}
	if docs := f.all(t, "responses"); len(docs) != 2 {
		t.Fatalf("%d responses stored, want 2", len(docs))
	}
	var c survey.CounterDoc
	if err := f.db.Collection("counters").FindOne(context.Background(), bson.D{}).Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.N != 2 || c.A["fft"]["poor"] != 2 || c.A["fft"]["very_good"] != 0 {
		t.Fatalf("counters %+v, want 2 poor answers only", c)
	}
}

func TestSubmit_RefusesForgedExpiredAndOtherSurveysNonces(t *testing.T) {
	f := newFixture(t)
	good := f.nonce(t)
	peer, _ := f.responses.Keys().Issue(context.Background(), "peer-support")
	a := survey.Answers{"fft": {Choice: "good"}}
	forged := []byte(good)
	forged[len(forged)-1] ^= 1
	for name, n := range map[string]string{
		"empty": "", "garbage": "abc", "forged": string(forged), "other survey": peer,
		"future day": "20991231" + good[8:], "too long": good + good + good + good,
	} {
		if _, err := f.responses.Submit(context.Background(), f.def, n, a); !errors.Is(err, ballotbox.ErrNonce) {
			t.Errorf("%s nonce: err %v, want ErrNonce", name, err)
		}
	}
	// A day later the form still works; two days later it has expired.
	f.clock.Set(f.clock.Now().Add(24 * time.Hour))
	if out := f.submit(t, good, a); out != ballotbox.Stored {
		t.Fatalf("next day: %v", out)
	}
	late := f.nonce(t)
	f.clock.Set(f.clock.Now().Add(48 * time.Hour))
	if _, err := f.responses.Submit(context.Background(), f.def, late, a); !errors.Is(err, ballotbox.ErrNonce) {
		t.Fatalf("after two days: err %v, want ErrNonce", err)
	}
	if docs := f.all(t, "responses"); len(docs) != 1 {
		t.Fatalf("%d responses stored, want 1", len(docs))
	}
}

func TestKeys_ExpiredDaysKeysAreDeleted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.responses.Keys().Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.all(t, "keys")); n != 2 {
		t.Fatalf("%d keys after Prepare, want today's and tomorrow's", n)
	}
	f.clock.Set(f.clock.Now().AddDate(0, 0, 5))
	today := f.clock.Now().UTC()
	if err := f.responses.Keys().Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, d := range f.all(t, "keys") {
		days = append(days, d["_id"].(string))
	}
	sort.Strings(days)
	if want := []string{today.Format("20060102"), today.AddDate(0, 0, 1).Format("20060102")}; !slices.Equal(days, want) {
		t.Fatalf("keys kept for %v, want only the two days whose forms are still valid", days)
	}
}

func TestSubmit_CountersMatchTheStoredResponses(t *testing.T) {
	f := newFixture(t)
	choices := []string{"very_good", "good", "poor", "dont_know"}
	month := survey.Month(f.clock.Now())
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			a := survey.Answers{"fft": {Choice: choices[i%4]}, "recommend": {Number: i % 11}}
			if i%3 == 0 {
				a["helped"] = survey.Answer{Choices: []string{"work", "relationships"}}
			}
			f.submit(t, f.nonce(t), a)
		}(i)
	}
	wg.Wait()
	f.clock.Set(firstSecondAfter(f.clock.Now()))
	next := survey.Month(f.clock.Now())
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}})

	counters := map[string]survey.CounterDoc{}
	f.releaseAll(t)
	cur, _ := f.db.Collection("counters").Find(context.Background(), bson.D{})
	for cur.Next(context.Background()) {
		var c survey.CounterDoc
		if err := cur.Decode(&c); err != nil {
			t.Fatal(err)
		}
		counters[c.Month] = c
	}
	first, second := counters[month], counters[next]
	if first.N != 40 || second.N != 1 || len(counters) != 2 {
		t.Fatalf("counters %+v", counters)
	}
	// Brute force over the stored responses.
	want := map[string]int64{}
	for _, doc := range f.all(t, "responses") {
		if doc["month"] != month {
			continue
		}
		ans := doc["answers"].(bson.M)
		want["fft."+ans["fft"].(string)]++
		want[fmt.Sprintf("recommend.%d", ans["recommend"])]++
		if c, ok := ans["helped"].(bson.A); ok {
			want["q.helped"]++
			for _, v := range c {
				want["helped."+v.(string)]++
			}
		}
	}
	for k, n := range want {
		var got int64
		if k == "q.helped" {
			got = first.Q["helped"]
		} else {
			q, v, _ := cut(k)
			got = first.A[q][v]
		}
		if got != n {
			t.Errorf("counter %s = %d, brute force %d", k, got, n)
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestSubmit_CommentsKeepTheMonthAndTheRedactedTextOnly(t *testing.T) {
	f := newFixture(t)
	start := f.clock.Now()
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "Thanks to J, call 07700900123"}})
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}})
	docs := f.all(t, commentsCollectionName("counselling", start))
	if len(docs) != 1 {
		t.Fatalf("%d comments", len(docs))
	}
	c := docs[0]
	if c["text"] != "Thanks to J, call [phone number]" || c["month"] != survey.Month(start) || c["fft"] != "good" || len(c) != 7 {
		t.Fatalf("comment %v", c)
	}
	// The next month's comments go to a collection of their own.
	f.clock.Set(firstSecondAfter(start))
	f.submit(t, f.nonce(t), survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "Next month"}})
	if docs := f.all(t, commentsCollectionName("counselling", f.clock.Now())); len(docs) != 1 || docs[0]["text"] != "Next month" {
		t.Fatalf("next month's comments: %v", docs)
	}
	if n := len(f.all(t, commentsCollectionName("counselling", start))); n != 1 {
		t.Fatalf("the first month has %d comments", n)
	}
}

func TestClose_CommitsWhatWasQueuedAndRefusesTheRest(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	var stored atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		n := f.nonce(t)
		go func() {
			defer wg.Done()
			out, err := f.responses.Submit(context.Background(), f.def, n, survey.Answers{"fft": {Choice: "good"}})
			if err == nil && out == ballotbox.Stored {
				stored.Add(1)
			} else if !errors.Is(err, ballotbox.ErrUnavailable) {
				t.Errorf("err %v", err)
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	f.responses.Close()
	wg.Wait()
	if got := int32(len(f.all(t, "responses"))); got != stored.Load() {
		t.Fatalf("%d acknowledged, %d stored", stored.Load(), got)
	}
}

func BenchmarkSubmit(b *testing.B) {
	f := newFixture(b)
	a := survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "Helpful and kind."}, "recommend": {Number: 9}, "helped": {Choices: []string{"work"}}}
	nonces := make([]string, b.N)
	for i := range nonces {
		nonces[i] = f.nonce(b)
	}
	var next atomic.Int64
	b.SetParallelism(16) // 32 phones at once on two cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if out, err := f.responses.Submit(context.Background(), f.def, nonces[i], a); err != nil || out != ballotbox.Stored {
				b.Fatalf("submit: %v %v", out, err)
			}
		}
	})
}

func TestSubmit_AVerifiedFormIsStoredAsVerifiedAndTheMarkCannotBeForged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	verified, err := f.responses.Keys().IssueVerified(ctx, "counselling")
	if err != nil {
		t.Fatal(err)
	}
	open := f.nonce(t)
	f.submit(t, verified, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "invited"}})
	f.submit(t, open, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: "open link"}})
	// The mark is inside the signed part: put on an open nonce, it is refused.
	forged := strings.Replace(f.nonce(t), ".", ".~", 1)
	if _, err := f.responses.Submit(ctx, f.def, forged, survey.Answers{"fft": {Choice: "good"}}); !errors.Is(err, ballotbox.ErrNonce) {
		t.Fatalf("an open nonce marked verified: %v", err)
	}
	byText := map[string]bool{}
	for _, d := range f.all(t, "responses") {
		byText[d["answers"].(bson.M)["fft_why"].(string)] = d["verified"].(bool)
	}
	if !byText["invited"] || byText["open link"] || len(byText) != 2 {
		t.Fatalf("verified by answer: %v", byText)
	}
}
