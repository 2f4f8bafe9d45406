package ballotbox_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// TestScale_MixAndReleaseANationalMonth runs only when FEEDBACK_SCALE_BALLOTS
// holds a number of ballots, e.g.
//
//	FEEDBACK_SCALE_BALLOTS=300000 go test ./ballotbox/ -run Scale -v -timeout 3h
//
// It seals that many ballots into one month (two services, a comment in one
// of three) through Submit, all in one hour, and mixes them; then it seals an
// hour's share of a month more (n/720, at least 100) and mixes again, as the
// hourly mix does near a month's end; then it releases the month
// (FEEDBACK_SCALE_MIX=0: no mixes), logging the time of each step and the
// process's peak memory (the embedded store is in the process).
func TestScale_MixAndReleaseANationalMonth(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FEEDBACK_SCALE_BALLOTS"))
	if n <= 0 {
		t.Skip("set FEEDBACK_SCALE_BALLOTS=300000 to run the scale test")
	}
	ctx := context.Background()
	cat, _ := survey.LoadEmbedded()
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	sealer := newSealer(t)
	clock := clocktest.New(onCalendar(time.Date(2026, 10, 9, 10, 0, 0, 0, time.UTC)))
	start := time.Now()
	sealBallots(t, ballotbox.NewResponses(db, ballotbox.Options{Now: clock.Now, Sealer: sealer}), cat, n)
	t.Logf("SCALE sealed %d ballots in %s; peak RSS so far %s", n, time.Since(start).Round(time.Second), peakRSS())

	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, OpenK: 10, OpenByMonth: true, AfterRelease: st.Compact, Now: clock.Now, MixWait: -1,
		Progress: func(box, step string, k int) {
			t.Logf("release %s: %s %d at %s, peak RSS %s", box, step, k, time.Since(start).Round(time.Second), peakRSS())
		}})
	if err != nil {
		t.Fatal(err)
	}
	total := n
	if os.Getenv("FEEDBACK_SCALE_MIX") != "0" {
		clock.Advance(time.Hour + ballotbox.MixGrace)
		start = time.Now()
		mixed, err := rel.Mix(ctx, monthOn(2026, 10))
		if err != nil || mixed != n {
			t.Fatalf("mix: %d, %v", mixed, err)
		}
		t.Logf("SCALE first mix: %d ballots in %s; peak RSS %s", mixed, time.Since(start).Round(time.Second), peakRSS())
		more := max(100, n/720)
		sealBallots(t, ballotbox.NewResponses(db, ballotbox.Options{Now: clock.Now, Sealer: sealer}), cat, more)
		total += more
		clock.Advance(time.Hour)
		start = time.Now()
		if mixed, err = rel.Mix(ctx, monthOn(2026, 10)); err != nil || mixed != total {
			t.Fatalf("second mix: %d, %v", mixed, err)
		}
		t.Logf("SCALE an hourly mix (%d new among %d): %s; peak RSS %s", more, mixed, time.Since(start).Round(time.Second), peakRSS())
	}
	clock.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	start = time.Now()
	rep, err := rel.Release(ctx, monthOn(2026, 10))
	if err != nil || rep.Responses != total {
		t.Fatalf("release: %+v %v", rep, err)
	}
	t.Logf("SCALE released %d responses in %s; peak RSS %s", rep.Responses, time.Since(start).Round(time.Second), peakRSS())
}

// sealBallots submits n answers from 16 phones at once.
func sealBallots(t *testing.T, r *ballotbox.Responses, cat *survey.Catalogue, n int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var done atomic.Int64
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				service := []string{"counselling", "peer-support"}[j%2]
				def, _ := cat.Get(service)
				a := survey.Answers{"fft": {Choice: "good"}, "recommend": {Number: j % 11}}
				if j%3 == 0 {
					a["fft_why"] = survey.Answer{Text: "They listened and it helped me a great deal."}
				}
				nonce, _ := r.Keys().IssueVerified(ctx, service)
				if _, err := r.Submit(ctx, def, nonce, a); err != nil {
					t.Error(err)
				}
				if d := done.Add(1); d%50_000 == 0 {
					t.Logf("sealed %d", d)
				}
			}
		}()
	}
	for j := range n {
		work <- j
	}
	close(work)
	wg.Wait()
	r.Close()
}

// peakRSS is the process's peak resident memory (Linux), or "?".
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
