package ballotbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// BenchmarkRelease10000 releases a month of 10,000 sealed ballots (two
// services, a comment in one answer of three) on the embedded store, with the
// write-ahead log checkpointed after, as serve does.
//
//	go test -run '^$' -bench Release10000 -benchtime 3x ./ballotbox/
func BenchmarkRelease10000(b *testing.B) {
	ctx := context.Background()
	cat, _ := survey.LoadEmbedded()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := storetest.New(b)
		db := st.Database(store.SurveyDatabase)
		sealer := newSealer(b)
		october := func() time.Time { return onCalendar(time.Date(2026, 10, 9, 10, 0, 0, 0, time.UTC)) }
		r := ballotbox.NewResponses(db, ballotbox.Options{Now: october, Sealer: sealer})
		var wg sync.WaitGroup
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
						b.Error(err)
					}
				}
			}()
		}
		for j := range 10000 {
			work <- j
		}
		close(work)
		wg.Wait()
		r.Close()
		rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, OpenK: 10, OpenByMonth: true, AfterRelease: st.Compact,
			Now: func() time.Time { return onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)) }})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := rel.Release(ctx, monthOn(2026, 10))
		if err != nil || rep.Responses != 10000 {
			b.Fatalf("release: %+v %v", rep, err)
		}
	}
}
