//go:build unix

package ballotbox_test

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
	"github.com/feedback-service/feedback/survey/commentcheck"
)

// unchecked stands in for the comment check, for measuring only what the
// check costs: it keeps the text as given and flags nothing.
type unchecked struct{}

func (unchecked) Check(_, text string) commentcheck.Result { return commentcheck.Result{Text: text} }

// typicalComment is a comment as most are: two sentences, no details (as in
// commentcheck's BenchmarkCheck).
const typicalComment = "The counsellor was kind and listened properly, and I didn't feel rushed even though it was clearly busy. " +
	"It would help if there were a text option as well as the phone. Thank you."

// BenchmarkSubmitCommentCheck measures the comment check's share of a
// submission's server CPU, side by side: the same submissions with a typical
// comment, with the check and with a stand-in that does nothing. Each reports
// the process's CPU (user + system, embedded store included) per submission
// as cpu-ns/op, which other processes on a busy machine do not inflate as
// they do wall time. Compare the two in one run:
//
//	go test -run '^$' -bench SubmitCommentCheck -count 5 ./ballotbox/
func BenchmarkSubmitCommentCheck(b *testing.B) {
	for _, bc := range []struct {
		name  string
		check ballotbox.CommentCheck
	}{{"checked", nil}, {"unchecked", unchecked{}}} {
		b.Run(bc.name, func(b *testing.B) {
			st := storetest.New(b)
			db := st.Database(store.SurveyDatabase)
			c := clocktest.New(clocktest.Start(time.Date(2026, 11, 24, 14, 10, 0, 0, time.UTC)))
			r := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: newSealer(b), Comments: bc.check})
			b.Cleanup(r.Close)
			def := counselling(b)
			a := survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: typicalComment}, "recommend": {Number: 9}, "helped": {Choices: []string{"work"}}}
			nonces := make([]string, b.N+1)
			for i := range nonces {
				n, err := r.Keys().Issue(context.Background(), def.Service)
				if err != nil {
					b.Fatal(err)
				}
				nonces[i] = n
			}
			// one first, outside the measure: it loads the check's lists
			if _, err := r.Submit(context.Background(), def, nonces[b.N], a); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			start := processCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					if out, err := r.Submit(context.Background(), def, nonces[i], a); err != nil || out != ballotbox.Stored {
						b.Fatalf("submit: %v %v", out, err)
					}
				}
			})
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
