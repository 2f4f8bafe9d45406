package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// sealBallots stores n sealed open ballots per service in September 2026 (a
// quarter's last month, so its open groups are released; a month
// long closed, so its release is due), each with a marker comment, through
// the same code as real submissions and the secret serve would use.
func sealBallots(t *testing.T, dir string, n map[string]int) []string {
	t.Helper()
	st := storetest.Open(t, dir)
	defer st.Close(context.Background())
	cat, _ := survey.LoadEmbedded()
	sealer, err := loadSealer(st, cat, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	september := func() time.Time { return time.Date(2026, 9, 14, 11, 0, 0, 0, time.UTC) }
	r := ballotbox.NewResponses(st.Database(store.SurveyDatabase), ballotbox.Options{Now: september, Sealer: sealer})
	defer r.Close()
	ctx := context.Background()
	var markers []string
	var mu sync.Mutex
	for service, count := range n {
		def, _ := cat.Get(service)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for i := range count {
			marker := fmt.Sprintf("rk-%s-%05d", service, i)
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				nonce, err := r.Keys().Issue(ctx, service)
				if err == nil {
					_, err = r.Submit(ctx, def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: marker}})
				}
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				markers = append(markers, marker)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	return markers
}

// A release killed with SIGKILL at random points, and run again until it
// finishes, gives every response, counter and comment exactly once.
func TestRelease_KilledAtRandomPointsThenRunAgainIsExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills child processes")
	}
	dir := t.TempDir()
	markers := sealBallots(t, dir, map[string]int{"counselling": 800, "peer-support": 400})
	rng := rand.New(rand.NewPCG(9, 9))
	kills, midway := 0, 0
	for attempt := 0; ; attempt++ {
		if attempt == 20 {
			t.Fatalf("the release did not finish in %d attempts", attempt)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FEEDBACK_TEST_CHILD="+strings.Join([]string{"release", "--data-dir", dir, "--take-lease"}, "\x1f"))
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// The first attempts are killed at a random moment after the release
		// has begun opening or writing; the last may finish.
		var err error
		if attempt < 8 {
			step := []string{"opened", "written"}[rng.IntN(2)]
			if waitFor(out, "2026-09 "+step, done) {
				time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
				_ = cmd.Process.Kill()
				<-done
				kills++
				if partial(t, dir) {
					midway++
				}
				continue
			}
			err = <-done
		} else {
			err = <-done
		}
		if err != nil {
			t.Fatalf("release failed: %v\n%s", err, out.String())
		}
		if strings.Contains(out.String(), "2026-09:") || strings.Contains(out.String(), "Nothing is due") {
			t.Logf("last run: %s", out.String())
			break
		}
	}
	st := storetest.Open(t, dir)
	db := st.Database(store.SurveyDatabase)
	cur, err := db.Collection("responses").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for cur.Next(context.Background()) {
		var r survey.Response
		if err := cur.Decode(&r); err != nil {
			t.Fatal(err)
		}
		for _, e := range r.Answers {
			if e.Key == "fft_why" {
				stored[e.Value.(string)]++
			}
		}
	}
	for _, m := range markers {
		if stored[m] != 1 {
			t.Errorf("%s stored %d times", m, stored[m])
		}
	}
	if len(stored) != len(markers) {
		t.Errorf("%d distinct responses stored, want %d", len(stored), len(markers))
	}
	cat, _ := survey.LoadEmbedded()
	report, err := survey.RebuildCounters(context.Background(), db, cat, survey.RebuildOptions{Comments: true})
	if err != nil || !report.Clean() {
		t.Fatalf("counters and comments after the killed releases: %+v %v", report, err)
	}
	if n := sealedBallots(t, db); n != 0 {
		t.Errorf("%d ballots left", n)
	}
	if boxes, _ := ballotbox.PendingBoxes(context.Background(), db); len(boxes) != 0 {
		t.Errorf("boxes left: %v", boxes)
	}
	if midway < 3 {
		t.Errorf("only %d of %d kills came in the middle of a release", midway, kills)
	}
	t.Logf("released %d ballots after %d kills, %d of them midway", len(markers), kills, midway)
}

// waitFor waits until the child has written want, or has ended (false).
func waitFor(out *syncBuffer, want string, done chan error) bool {
	for {
		if strings.Contains(out.String(), want) {
			return true
		}
		select {
		case err := <-done:
			done <- err
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// partial reports whether a release was cut off midway: some responses are
// written while the ballots are still there.
func partial(t *testing.T, dir string) bool {
	t.Helper()
	st := storetest.Open(t, dir)
	defer st.Close(context.Background())
	db := st.Database(store.SurveyDatabase)
	responses, _ := db.Collection("responses").EstimatedDocumentCount(context.Background())
	return responses > 0 && sealedBallots(t, db) > 0
}
