package dashboards

import (
	"math"
	"sort"

	"github.com/feedback-service/feedback/survey"
)

// The headline measures computed from counters: the FFT shares, the 0–10
// score, and the sums and percentages of a summary.

func newFFT() FFT {
	f := FFT{Counts: make([]OptionCount, len(survey.FFTOptions))}
	for i, o := range survey.FFTOptions {
		f.Counts[i] = OptionCount{Value: o.Value, Label: o.Label}
	}
	return f
}

// fftFrom computes the FFT figures from counts in survey.FFTOptions order.
func fftFrom(counts []int64) FFT {
	f := newFFT()
	for i, c := range counts {
		f.Counts[i].Count = c
		f.Answers += c
	}
	f.Positive = percent(counts[0]+counts[1], f.Answers)
	f.Negative = percent(counts[3]+counts[4], f.Answers)
	f.PositiveInterval = Wilson(counts[0]+counts[1], f.Answers)
	f.NegativeInterval = Wilson(counts[3]+counts[4], f.Answers)
	return f
}

// scoreFrom computes a likelihood score from counts of the answers 0 to 10.
func scoreFrom(counts []int64) *Score {
	if len(counts) != 11 {
		return nil
	}
	s := &Score{}
	for n, c := range counts {
		s.Answers += c
		switch {
		case n >= 9:
			s.Promoters += c
		case n >= 7:
			s.Passives += c
		default:
			s.Detractors += c
		}
	}
	if s.Answers == 0 {
		return nil
	}
	s.Score = round1(float64(s.Promoters-s.Detractors) * 100 / float64(s.Answers))
	return s
}

// add folds a published month (or a service's totals) into a sum.
func (s *Summary) add(o *Summary) {
	s.Responses += o.Responses
	for i := range s.FFT.Counts {
		s.FFT.Counts[i].Count += o.FFT.Counts[i].Count
	}
	if o.Score != nil {
		if s.Score == nil {
			s.Score = &Score{}
		}
		s.Score.Answers += o.Score.Answers
		s.Score.Promoters += o.Score.Promoters
		s.Score.Passives += o.Score.Passives
		s.Score.Detractors += o.Score.Detractors
	}
	s.Invitations += o.Invitations
	s.rateResponse += o.rateResponse
}

// finish computes a sum's percentages from its counts.
func (s *Summary) finish() {
	counts := make([]int64, len(s.FFT.Counts))
	for i, c := range s.FFT.Counts {
		counts[i] = c.Count
	}
	s.FFT = fftFrom(counts)
	if s.Score != nil {
		if s.Score.Answers == 0 {
			s.Score = nil
		} else {
			s.Score.Score = round1(float64(s.Score.Promoters-s.Score.Detractors) * 100 / float64(s.Score.Answers))
		}
	}
	s.ResponseRate = percent(s.rateResponse, s.Invitations)
}

func percent(part, whole int64) *float64 {
	if whole <= 0 {
		return nil
	}
	p := round1(float64(part) * 100 / float64(whole))
	return &p
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
