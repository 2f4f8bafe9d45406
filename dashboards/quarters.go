package dashboards

import (
	"fmt"
	"strconv"
	"time"

	"github.com/feedback-service/feedback/survey"
)

// Quarters for small services. Where every month of a calendar quarter is
// hidden, its three month buckets together may publish as one quarter
// bucket, if it reaches K. The quarter is a bucket of its own: it is never
// added into a range's totals, charts or control charts (those stay sums of
// published months), and calendar quarters never overlap, so a quarter's
// figure is one published bucket and reveals nothing of its months apart.

// QuarterStats is a published quarter: its three months, each hidden.
type QuarterStats struct {
	Quarter string   `json:"quarter"` // "2026-Q1"
	Months  []string `json:"months"`
	Figures Summary  `json:"figures"`
}

// quarterOf returns the quarter's name and its three months for a month.
func quarterOf(month string) (string, []string) {
	t, err := time.Parse(survey.MonthLayout, month)
	if err != nil {
		return "", nil
	}
	q := (int(t.Month()) - 1) / 3
	first := time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	months := []string{survey.Month(first), survey.Month(first.AddDate(0, 1, 0)), survey.Month(first.AddDate(0, 2, 0))}
	return strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa(q+1), months
}

// addQuarters publishes every calendar quarter wholly inside the range whose
// three months are published (by time) and hidden, and whose responses
// together reach k.
func addQuarters(st *ServiceStats, s *snapshot, sv *surveyVersions, r Range, k int) {
	hidden := map[string]bool{}
	for _, m := range st.HiddenMonths {
		hidden[m] = true
	}
	byMonth := s.counters[r.source()][sv.current.Service]
	seen := map[string]bool{}
	for _, m := range r.Months() {
		name, months := quarterOf(m)
		if seen[name] {
			continue
		}
		seen[name] = true
		var docs []map[string]*survey.CounterDoc
		for _, qm := range months {
			if !hidden[qm] {
				docs = nil
				break
			}
			docs = append(docs, byMonth[qm])
		}
		if docs == nil {
			continue
		}
		if f, ok := quarterFigures(sv, docs, k); ok {
			st.Quarters = append(st.Quarters, QuarterStats{Quarter: name, Months: months, Figures: f})
		}
	}
}

// quarterFigures adds up three months' counters: responses, the FFT and the
// score where every version asks it alike. ok is false below k.
func quarterFigures(sv *surveyVersions, months []map[string]*survey.CounterDoc, k int) (Summary, bool) {
	f := Summary{FFT: newFFT()}
	fft := make([]int64, len(survey.FFTOptions))
	score := make([]int64, 11)
	for _, docs := range months {
		for v, c := range docs {
			f.Responses += c.N
			for i, o := range survey.FFTOptions {
				fft[i] += c.A[survey.FFTQuestionID][o.Value]
			}
			if sv.score != nil && sv.score.common && sv.score.counts(v) {
				for i := range score {
					score[i] += c.A[sv.score.q.ID][strconv.Itoa(i)]
				}
			}
		}
	}
	if f.Responses < int64(k) {
		return Summary{}, false
	}
	f.FFT = fftFrom(fft)
	if sv.score != nil && sv.score.common {
		f.Score = scoreFrom(score)
	}
	return f, true
}

func (q QuarterStats) String() string {
	return fmt.Sprintf("%s (%s to %s)", q.Quarter, q.Months[0], q.Months[2])
}
