package backup

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// TestScale_BackupAndRestoreAMillionResponses runs only when FEEDBACK_SCALE
// holds a number of responses, e.g.
//
//	FEEDBACK_SCALE=1000000 go test ./backup/ -run Scale -v -timeout 2h
//
// It fills an embedded store with that many demo responses (through Submit,
// as real ones are stored), backs it up to a file, restores the file into a
// fresh directory and compares every published dashboard figure and comment.
// FEEDBACK_SCALE_DIR keeps the filled store there (an empty directory: the
// sealing secret lives only in the test, so a store cannot be reused).
func TestScale_BackupAndRestoreAMillionResponses(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FEEDBACK_SCALE"))
	if n <= 0 {
		t.Skip("set FEEDBACK_SCALE=1000000 to run the scale test")
	}
	ctx := context.Background()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("FEEDBACK_SCALE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	from := storetest.Open(t, dir)
	sealer := testSealer(t, cat) // a kept store was filled under another: run it afresh
	fill(t, from, cat, sealer, n)
	pending := sealPending(t, from, cat, sealer, max(1000, n/50))
	// Read first: the first read of comments makes the key they are ordered
	// by, kept in the survey database, which the backup must carry.
	want := figures(t, from, cat)

	file := filepath.Join(t.TempDir(), "survey.backup")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h, err := Write(ctx, from.Client, f, Options{Databases: surveySide, Recipients: toTest(), TempDir: filepath.Dir(file),
		Now: func() time.Time { return demoNow }, Progress: logProgress(t)})
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	info, _ := os.Stat(file)
	t.Logf("SCALE backup: %d responses, %d documents in %s, %.1f MB, in %s", responses(h), documents(h),
		store.SurveyDatabase, float64(info.Size())/(1<<20), took.Round(time.Second))

	to := storetest.New(t)
	start = time.Now()
	if _, err := Restore(ctx, to.Client, func() (io.ReadCloser, error) { return os.Open(file) }, RestoreOptions{Identities: withTest(), Progress: logProgress(t)}); err != nil {
		t.Fatal(err)
	}
	t.Logf("SCALE restore: %s (file checked, then loaded)", time.Since(start).Round(time.Second))
	if got := figures(t, to, cat); got != want {
		t.Fatalf("published figures differ after a restore:\n%s\n%s", want, got)
	}
	if got := sealedCount(t, to); got != pending {
		t.Fatalf("%d sealed ballots restored, want %d", got, pending)
	}
	// The month still sealed, released on each store, gives the same responses.
	for _, st := range []*store.Store{from, to} {
		rel, err := ballotbox.NewReleaser(st.Database(store.SurveyDatabase), cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, OpenK: 10, OpenByMonth: true,
			Now: func() time.Time { return clocktest.Shift(demoWritten, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)) }})
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := rel.Release(ctx, survey.Month(demoNow)); err != nil || int64(rep.Responses+rep.Carried) != pending {
			t.Fatalf("release of the sealed month: %+v %v", rep, err)
		}
	}
}

// sealPending seals n ballots into November, half in one hour and half in the
// next, and mixes the first hour: the backup then holds a mixed generation
// and an hour not yet mixed. It returns how many ballots are sealed.
func sealPending(t *testing.T, st *store.Store, cat *survey.Catalogue, sealer *ballotbox.Sealer, n int) int64 {
	t.Helper()
	ctx := context.Background()
	db := st.Database(store.SurveyDatabase)
	// The 24th at 09:00 of demoNow's month, so the next hour is in it too.
	clock := clocktest.New(clocktest.Shift(demoWritten, demoWritten))
	r := ballotbox.NewResponses(db, ballotbox.Options{Now: clock.Now, Sealer: sealer})
	def, _ := cat.Get("counselling")
	for i := range n {
		if i == n/2 {
			clock.Advance(time.Hour)
		}
		nonce, err := r.Keys().Issue(ctx, "counselling")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Submit(ctx, def, nonce, survey.Answers{"fft": {Choice: "good"}}); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	clock.Advance(ballotbox.MixGrace)
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, OpenK: 10, OpenByMonth: true, Now: clock.Now, MixWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	if mixed, err := rel.Mix(ctx, survey.Month(demoNow)); err != nil || mixed < n/2 { // and what demo months carried
		t.Fatalf("mix: %d %v", mixed, err)
	}
	return sealedCount(t, st)
}

func sealedCount(t *testing.T, st *store.Store) (n int64) {
	t.Helper()
	db := st.Database(store.SurveyDatabase)
	names, err := ballotbox.BallotCollections(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		k, err := db.Collection(name).CountDocuments(context.Background(), map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

// fill stores demo responses in st until it holds at least n: one demo run
// stores about 95 % of what it is asked for (months are rounded), so the
// rest is asked for again under another seed.
func fill(t *testing.T, st *store.Store, cat *survey.Catalogue, sealer *ballotbox.Sealer, n int) {
	t.Helper()
	if _, err := st.Database(store.SurveyDatabase).Collection("responses").FindOne(context.Background(), map[string]any{}).Raw(); err == nil {
		t.Fatalf("%s holds responses already: give FEEDBACK_SCALE_DIR an empty directory", st.DataDir)
	}
	start, stored := time.Now(), 0
	for seed := uint64(1); stored < n && seed <= 5; seed++ {
		rep, err := ballotbox.Demo(context.Background(), st.Database(store.SurveyDatabase), cat,
			ballotbox.DemoOptions{Responses: n - stored, Now: demoNow, Seed: seed, Sealer: sealer})
		if err != nil {
			t.Fatal(err)
		}
		stored += rep.Responses
		t.Logf("SCALE fill: %d responses stored so far, %.0f/s", stored, float64(stored)/time.Since(start).Seconds())
	}
	t.Logf("SCALE fill: %d responses in %s", stored, time.Since(start).Round(time.Second))
}

func logProgress(t *testing.T) func(Progress) {
	return func(p Progress) {
		if p.Documents%100_000 == 0 || p.Documents == p.Total {
			t.Log(p)
		}
	}
}

func responses(h *Header) int64 {
	for _, c := range h.Databases[0].Collections {
		if c.Name == "responses" {
			return c.Count
		}
	}
	return 0
}

func documents(h *Header) (n int64) {
	for _, c := range h.Databases[0].Collections {
		n += c.Count
	}
	return n
}
