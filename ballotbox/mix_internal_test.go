package ballotbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// mixFixture is a box of October 2026 (or of the month FEEDBACK_TEST_NOW
// starts in, see onCalendar) with its writer and releaser on one clock.
type mixFixture struct {
	box   string // the box's month
	db    *mongo.Database
	clock *clocktest.Clock
	r     *Responses
	rel   *Releaser
	def   *survey.Definition
	sent  []string // the nonces of the forms sent, in order
}

func newMixFixture(t *testing.T) *mixFixture {
	t.Helper()
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := NewSealer(NewKeyring(filepath.Join(t.TempDir(), "keyring")), nil, cat)
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(onCalendar(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)))
	r := NewResponses(db, Options{Now: clock.Now, Sealer: sealer})
	t.Cleanup(r.Close)
	rel, err := NewReleaser(db, cat, ReleaseOptions{Sealer: sealer, K: 5, OpenK: 5, OpenByMonth: true, Now: clock.Now, Responses: r, AfterRelease: st.Compact, MixWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("counselling")
	return &mixFixture{box: monthOn(2026, 10), db: db, clock: clock, r: r, rel: rel, def: def}
}

// send submits form number i, saying "arrived i".
func (f *mixFixture) send(t *testing.T, i int) {
	t.Helper()
	nonce, _ := f.r.Keys().Issue(context.Background(), "counselling")
	f.sent = append(f.sent, nonce)
	if out, err := f.r.Submit(context.Background(), f.def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: fmt.Sprintf("arrived %04d", i)}}); err != nil || out != Stored {
		t.Fatalf("submit %d: %v %v", i, out, err)
	}
}

// releasedOnce releases the box and checks every one of n forms was counted
// exactly once.
func (f *mixFixture) releasedOnce(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	f.clock.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	reports, err := f.rel.ReleaseDue(ctx)
	if err != nil || len(reports) != 1 || reports[0].Responses != n {
		t.Fatalf("release: %+v %v", reports, err)
	}
	seen := map[string]int{}
	cur, _ := f.db.Collection("responses").Find(ctx, bson.D{})
	for cur.Next(ctx) {
		var resp survey.Response
		_ = cur.Decode(&resp)
		for _, e := range resp.Answers {
			if e.Key == "fft_why" {
				seen[e.Value.(string)]++
			}
		}
	}
	for i := range n {
		if k := seen[fmt.Sprintf("arrived %04d", i)]; k != 1 {
			t.Errorf("ballot %d released %d times", i, k)
		}
	}
	names, _ := f.db.ListCollectionNames(ctx, bson.D{})
	for _, name := range names {
		if strings.HasPrefix(name, "ballot") && strings.Contains(name, strings.ReplaceAll(f.box, "-", "_")) {
			t.Errorf("after the release %s is still there", name)
		}
	}
}

// Someone holding a copy of the disk mid-month and the sealing secret opens
// the ballots in the order the store keeps them: after a mix that order says
// nothing of their arrival, a replay of a mixed form is still refused, and a
// mix cut short while copying is rolled back so the release counts every
// ballot once.
func TestMix_TakesAwayArrivalOrderAndKeepsEveryBallotOnce(t *testing.T) {
	f := newMixFixture(t)
	ctx := context.Background()
	for i := range 150 {
		f.send(t, i)
	}
	if rho := storedOrder(t, f.db, f.rel); math.Abs(rho) < 0.9 {
		t.Fatalf("before a mix the store should keep arrival order (ρ %.2f): the test would prove nothing", rho)
	}
	if n, err := f.rel.MixPending(ctx); err != nil || n != 0 {
		t.Fatalf("a mix of an hour not yet closed: %d %v", n, err)
	}
	f.clock.Advance(time.Hour + MixGrace)
	if n, err := f.rel.MixPending(ctx); err != nil || n != 150 {
		t.Fatalf("mix: %d %v", n, err)
	}
	if rho := storedOrder(t, f.db, f.rel); math.Abs(rho) > 0.3 {
		t.Fatalf("after a mix the stored order follows arrival: ρ %.2f", rho)
	}
	// A replay of a mixed form meets the guard, and its ballot is taken out.
	if out, err := f.r.Submit(ctx, f.def, f.sent[3], survey.Answers{"fft": {Choice: "poor"}}); err != nil || out != AlreadyReceived {
		t.Fatalf("replay after a mix: %v %v", out, err)
	}
	if n := countBallots(t, f.db); n != 150 {
		t.Fatalf("after a replay %d ballots are stored, want 150", n)
	}
	// More arrive and are mixed with the first; then more, and a mix is cut
	// short while copying.
	for i := 150; i < 180; i++ {
		f.send(t, i)
	}
	f.clock.Advance(time.Hour)
	if n, err := f.rel.MixPending(ctx); err != nil || n != 180 {
		t.Fatalf("second mix: %d %v", n, err)
	}
	for i := 180; i < 200; i++ {
		f.send(t, i)
	}
	f.clock.Advance(time.Hour)
	st, _ := readMixState(ctx, f.db, f.box)
	cols, _ := collectionsOf(ctx, f.db, f.box)
	st.Next, st.Mixing, st.Hours = st.Gen+1, mixCopying, cols.hours
	if err := f.rel.setMixState(ctx, f.box, st); err != nil {
		t.Fatal(err)
	}
	fresh, err := f.rel.readFresh(ctx, f.box, mustKey(t, f.rel), cols.hours)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rel.writeMerged(ctx, f.box, mustKey(t, f.rel), st, fresh[:10]); err != nil {
		t.Fatal(err)
	}
	f.releasedOnce(t, 200)
}

// A mix cut short after its copies were written, while it dropped what it
// copied, is finished by the release: each ballot counted once.
func TestMix_CutShortWhileCleaningIsFinished(t *testing.T) {
	f := newMixFixture(t)
	ctx := context.Background()
	for i := range 40 {
		f.send(t, i)
		if i == 19 {
			f.clock.Advance(time.Hour)
		}
	}
	f.clock.Advance(time.Hour + MixGrace)
	key := mustKey(t, f.rel)
	cols, _ := collectionsOf(ctx, f.db, f.box)
	if len(cols.hours) != 2 {
		t.Fatalf("ballots of two hours should lie in two collections: %+v", cols)
	}
	st := mixState{Next: 1, Mixing: mixCopying, Hours: cols.hours}
	fresh, err := f.rel.readFresh(ctx, f.box, key, cols.hours)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.rel.writeMerged(ctx, f.box, key, st, fresh)
	if err != nil || n != 40 {
		t.Fatalf("copy: %d %v", n, err)
	}
	st.Mixing, st.NextCount = mixCleaning, n
	if err := f.rel.setMixState(ctx, f.box, st); err != nil {
		t.Fatal(err)
	}
	if got := countBallots(t, f.db); got != 40 {
		t.Fatalf("mid-mix the stored ballots count %d, want 40 (the copies, not what they copied)", got)
	}
	f.releasedOnce(t, 40)
}

// A replay in a later hour, before any mix, is answered as already received
// and leaves one ballot; an instance whose clock is behind the last mix
// writes into the first hour not yet mixed, so no mix drops its ballots.
func TestMix_ReplayInALaterHourAndAWriterBehindTheMix(t *testing.T) {
	f := newMixFixture(t)
	ctx := context.Background()
	f.send(t, 0)
	f.clock.Advance(2 * time.Hour)
	if out, err := f.r.Submit(ctx, f.def, f.sent[0], survey.Answers{"fft": {Choice: "poor"}}); err != nil || out != AlreadyReceived {
		t.Fatalf("replay an hour later: %v %v", out, err)
	}
	if n := countBallots(t, f.db); n != 1 {
		t.Fatalf("after a replay in a later hour %d ballots, want 1", n)
	}
	if n, err := f.rel.MixPending(ctx); err != nil || n != 1 {
		t.Fatalf("mix: %d %v", n, err)
	}
	// Another instance, its clock three hours behind, sees the mix within a
	// minute of its own time and writes past it.
	behind := clocktest.New(f.clock.Now().Add(-3 * time.Hour))
	late := NewResponses(f.db, Options{Now: behind.Now, Sealer: f.rel.opts.Sealer})
	t.Cleanup(late.Close)
	for i := 1; i < 5; i++ { // five in all, K: released, not carried
		nonce, _ := late.Keys().Issue(ctx, "counselling")
		if _, err := late.Submit(ctx, f.def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: fmt.Sprintf("arrived %04d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := readMixState(ctx, f.db, f.box)
	cols, _ := collectionsOf(ctx, f.db, f.box)
	// (Hour 35 holds nothing: the replay's ballot was taken out of it.)
	if len(cols.hours) == 0 || cols.hours[0] != st.Below || countBallots(t, f.db) != 5 {
		t.Fatalf("the late instance wrote into hours %v; the mix has taken every hour below %d", cols.hours, st.Below)
	}
	f.releasedOnce(t, 5)
}

func mustKey(t *testing.T, rel *Releaser) *opener {
	t.Helper()
	k, err := rel.boxes.opener(context.Background(), monthOn(2026, 10))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func countBallots(t *testing.T, db *mongo.Database) int64 {
	t.Helper()
	names, err := BallotCollections(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, name := range names {
		k, err := db.Collection(name).CountDocuments(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

// storedOrder opens the box's ballots in the store's own order (a find with
// no sort reads rows as SQLite keeps them, collection by collection), as
// someone with the disk and the secret would, and returns the rank
// correlation of that order with arrival.
func storedOrder(t *testing.T, db *mongo.Database, rel *Releaser) float64 {
	t.Helper()
	names, err := BallotCollections(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	key := mustKey(t, rel)
	var ranks []int
	for _, name := range names {
		err := eachBallot(context.Background(), db.Collection(name), func(doc ballotDoc) error {
			plain, err := key.open(doc.ID, doc.Sealed)
			if err != nil {
				return err
			}
			b, _ := decodeBallot(plain)
			for _, e := range b.Answers {
				if e.Key == "fft_why" {
					var n int
					_, _ = fmt.Sscanf(strings.TrimPrefix(e.Value.(string), "arrived "), "%d", &n)
					ranks = append(ranks, n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return rankCorrelation(ranks)
}

// rankCorrelation is Spearman's ρ between positions and the values held there.
func rankCorrelation(values []int) float64 {
	n := len(values)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return values[idx[a]] < values[idx[b]] })
	var d2 float64
	for rank, pos := range idx {
		d := float64(rank - pos)
		d2 += d * d
	}
	return 1 - 6*d2/float64(n*(n*n-1))
}

// A form issued on a month's last evening may be sent that evening and again
// the next morning, into the next month's box: the replay meets the first
// month's guard and is not stored twice.
func TestSubmit_AReplayNextMonthOfAFormIssuedLastMonthIsCaught(t *testing.T) {
	f := newMixFixture(t)
	ctx := context.Background()
	f.clock.Set(onCalendar(time.Date(2026, 10, 31, 22, 0, 0, 0, time.UTC)))
	for i := range 5 {
		f.send(t, i)
	}
	f.clock.Set(onCalendar(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)))
	if out, err := f.r.Submit(ctx, f.def, f.sent[2], survey.Answers{"fft": {Choice: "poor"}}); err != nil || out != AlreadyReceived {
		t.Fatalf("replay next month: %v %v", out, err)
	}
	// A form issued last month and sent only now is stored, once.
	f.clock.Set(onCalendar(time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)))
	nonce, _ := f.r.Keys().Issue(ctx, "counselling")
	f.clock.Set(onCalendar(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)))
	if out, err := f.r.Submit(ctx, f.def, nonce, survey.Answers{"fft": {Choice: "good"}}); err != nil || out != Stored {
		t.Fatalf("a form of last month sent this month: %v %v", out, err)
	}
	if n := countBallots(t, f.db); n != 6 {
		t.Fatalf("%d ballots, want 6", n)
	}
	f.releasedOnce(t, 5)
}

// A backup reads the ballots holding the release lease: no mix starts while
// it does, and it waits for a mix already running.
func TestHoldReleaseLease_KeepsMixesOutAndWaitsForOne(t *testing.T) {
	f := newMixFixture(t)
	ctx := context.Background()
	for i := range 5 {
		f.send(t, i)
	}
	f.clock.Advance(time.Hour + MixGrace)
	done, err := HoldReleaseLease(ctx, f.db, "backup", f.clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rel.MixPending(ctx); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("a mix while a backup holds the lease: %v", err)
	}
	done()
	if n, err := f.rel.MixPending(ctx); err != nil || n != 5 {
		t.Fatalf("a mix after the backup: %d %v", n, err)
	}
	// Held by an instance (as while it mixes): the backup waits, then takes it.
	leases := f.db.Collection(leasesCollection)
	if held, err := takeLease(ctx, leases, "instance-a", f.clock.Now, false); err != nil || !held {
		t.Fatalf("lease: %v %v", held, err)
	}
	waits := 0
	done, err = HoldReleaseLease(ctx, f.db, "backup", f.clock.Now, func() {
		if waits++; waits == 1 {
			giveUpLease(leases, "instance-a", slog.Default())
		}
	})
	if err != nil || waits != 1 {
		t.Fatalf("the backup waited %d times: %v", waits, err)
	}
	done()
}

// An instance whose clock is hours behind keeps writing into an hour it
// thinks is current while a mix takes that hour. The mix records the hours it
// takes before it reads them and waits MixWait (a writer's refresh and a
// commit) before reading; a writer that has read the box again in that time
// writes past them, so a ballot it writes after the read, before the hours
// are dropped, is not lost.
func TestMix_AWriterFarBehindWritingDuringAMixLosesNothing(t *testing.T) {
	f := newMixFixture(t)
	ctx := context.Background()
	for i := range 5 {
		f.send(t, i)
	}
	behind := clocktest.New(f.clock.Now()) // lags once f's clock moves on
	late := NewResponses(f.db, Options{Now: behind.Now, Sealer: f.rel.opts.Sealer})
	t.Cleanup(late.Close)
	sendLate := func(i int) {
		nonce, _ := late.Keys().Issue(ctx, "counselling")
		if _, err := late.Submit(ctx, f.def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: fmt.Sprintf("arrived %04d", i)}}); err != nil {
			t.Error(err)
		}
	}
	sendLate(5) // into the same hour; the late writer has read the box's state
	f.clock.Advance(time.Hour + MixGrace)
	f.rel.afterRead = func() {
		// The mix waited MixWait before reading: on the late writer's own
		// clock that long has passed too.
		behind.Advance(DefaultMixWait)
		for i := 6; i < 10; i++ {
			sendLate(i)
		}
	}
	if n, err := f.rel.MixPending(ctx); err != nil || n != 6 {
		t.Fatalf("mix: %d %v", n, err)
	}
	f.releasedOnce(t, 10)
}
