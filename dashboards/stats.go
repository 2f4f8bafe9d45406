package dashboards

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/feedback-service/feedback/survey"
)

// ServiceStats is everything published about one service over a range: the
// one source that pages, charts, CSV, the FFT return and JSON are rendered from.
type ServiceStats struct {
	Service string `json:"service"`
	Title   string `json:"title"`
	Range   Range  `json:"range"`
	K       int    `json:"k"` // buckets with fewer responses publish nothing
	// Months lists every month of the range, oldest first; hidden ones carry
	// no figures at all.
	Months       []MonthStats `json:"months"`
	HiddenMonths []string     `json:"hidden_months"`
	// UnpublishedMonths are months of the range not published yet (this month,
	// or a closed month whose answers are not yet released): they are not in
	// Months, and no figure includes them.
	UnpublishedMonths []string `json:"unpublished_months"`
	// Totals add up the published months only.
	Totals Summary `json:"totals"`
	// ScoreQuestion is the key of the 0–10 question the score comes from.
	ScoreQuestion string          `json:"score_question,omitempty"`
	Questions     []QuestionStats `json:"questions"`
	// Quarters are calendar quarters of the range whose months are all
	// hidden but which together reach K: each a bucket of its own, in no total.
	Quarters []QuarterStats `json:"quarters,omitempty"`
	// SPC is each measure's control chart over the published months, by
	// measure name (MeasureFFT, MeasureScore, MeasureResponses).
	SPC map[string]*SPC `json:"spc"`

	// countersVersion identifies the counters these figures came from. It is
	// kept out of every rendering: it changes when hidden buckets change.
	countersVersion string
}

// MonthStats is one month of a service. A hidden month (fewer than K responses,
// including none) has Hidden set and nothing else.
type MonthStats struct {
	Month   string   `json:"month"`
	Hidden  bool     `json:"hidden,omitempty"`
	Figures *Summary `json:"figures,omitempty"`
	// Versions are the survey versions with a published bucket this month;
	// VersionChange marks a month whose versions differ from the previous
	// published month's in the range.
	Versions      []string `json:"versions,omitempty"`
	VersionChange bool     `json:"version_change,omitempty"`
}

// Summary is the headline figures of a published month, a range or an overview.
type Summary struct {
	Responses int64  `json:"responses"`
	FFT       FFT    `json:"fft"`
	Score     *Score `json:"score,omitempty"`
	// Invitations sent in the published months that have a count, and the
	// responses of those same months as a percentage of them.
	Invitations  int64    `json:"invitations,omitempty"`
	ResponseRate *float64 `json:"response_rate_percent,omitempty"`
	rateResponse int64    // responses in the months the rate covers
}

// FFT is the Friends and Family Test figures. As in NHS England's publication,
// percentages are of every answer to the question, "Don't know" included.
type FFT struct {
	Answers  int64         `json:"answers"`
	Counts   []OptionCount `json:"counts"`
	Positive *float64      `json:"positive_percent,omitempty"` // Very good + Good
	Negative *float64      `json:"negative_percent,omitempty"` // Poor + Very poor
	// 95% Wilson intervals of the two percentages.
	PositiveInterval *Interval `json:"positive_interval,omitempty"`
	NegativeInterval *Interval `json:"negative_interval,omitempty"`
}

// Small says whether the percentages rest on fewer than SmallSample answers.
func (f FFT) Small() bool { return f.Answers > 0 && f.Answers < SmallSample }

// OptionCount is how many chose one option.
type OptionCount struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int64  `json:"count"`
}

// Score is the likelihood-to-recommend score of a 0–10 question: promoters
// (9–10) minus detractors (0–6), as a percentage of its answers, from −100 to 100.
type Score struct {
	Answers    int64   `json:"answers"`
	Promoters  int64   `json:"promoters"`
	Passives   int64   `json:"passives"`
	Detractors int64   `json:"detractors"`
	Score      float64 `json:"score"`
}

// QuestionStats is the distribution of answers to one question as asked (an
// id and a Fingerprint). Scope says which buckets publish it: "service" for a
// question every known version asks identically, "version" otherwise.
type QuestionStats struct {
	Key      string          `json:"key"`
	ID       string          `json:"id"`
	Short    string          `json:"short"`
	Prompt   string          `json:"prompt"`
	Kind     survey.Kind     `json:"kind"`
	Scope    string          `json:"scope"`
	Versions []string        `json:"versions"`
	Options  []survey.Option `json:"options,omitempty"`
	Months   []QuestionMonth `json:"months"`
	Total    QuestionFigures `json:"total"`
}

// Scopes of a question's buckets.
const (
	ScopeService = "service"
	ScopeVersion = "version"
)

// QuestionMonth is one month of a question; hidden when no published bucket
// holds its answers.
type QuestionMonth struct {
	Month   string           `json:"month"`
	Hidden  bool             `json:"hidden,omitempty"`
	Figures *QuestionFigures `json:"figures,omitempty"`
}

// QuestionFigures counts answers: Answered responses answered the question,
// Counts[i] chose Options[i] (a multiple-choice answer counts once per option).
type QuestionFigures struct {
	Answered int64   `json:"answered"`
	Counts   []int64 `json:"counts,omitempty"`
	Score    *Score  `json:"score,omitempty"`
}

// Service computes the published figures of one service over r.
func (d *Dashboards) Service(ctx context.Context, service string, r Range) (*ServiceStats, error) {
	sv, ok := d.survey(service)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownService, service)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	return computeService(s, sv, r, d.k), nil
}

func computeService(s *snapshot, sv *surveyVersions, r Range, k int) *ServiceStats {
	st := newServiceStats(s, sv, r, k)
	byMonth := s.counters[r.source()][sv.current.Service]
	var prevVersions []string
	for _, m := range r.Months() {
		if !s.published(m) {
			// Not part of any view until it is published: it has no row, no point
			// on a chart and no cell in a download.
			st.UnpublishedMonths = append(st.UnpublishedMonths, m)
			continue
		}
		ms, ok := monthStats(s, sv, st, r, k, m, byMonth[m])
		if !ok {
			st.Months = append(st.Months, MonthStats{Month: m, Hidden: true})
			st.HiddenMonths = append(st.HiddenMonths, m)
			for i := range st.Questions {
				st.Questions[i].Months = append(st.Questions[i].Months, QuestionMonth{Month: m, Hidden: true})
			}
			continue
		}
		if len(prevVersions) > 0 && len(ms.Versions) > 0 && !slices.Equal(prevVersions, ms.Versions) {
			ms.VersionChange = true
		}
		if len(ms.Versions) > 0 {
			prevVersions = ms.Versions
		}
		st.Totals.add(ms.Figures)
		st.Months = append(st.Months, ms)
	}
	for i, qi := range sv.questions {
		if qi.q.Kind == survey.Likelihood {
			st.Questions[i].Total.Score = scoreFrom(st.Questions[i].Total.Counts)
		}
		if qi.q.Kind == survey.Text {
			st.Questions[i].Total.Counts = nil
		}
	}
	st.Totals.finish()
	st.SPC = serviceSPC(st, s.settings)
	addQuarters(st, s, sv, r, k)
	return st
}

// newServiceStats is a service's figures before any month is added.
func newServiceStats(s *snapshot, sv *surveyVersions, r Range, k int) *ServiceStats {
	st := &ServiceStats{
		Service: sv.current.Service, Title: sv.current.Title, Range: r, K: k,
		Months: []MonthStats{}, HiddenMonths: []string{}, UnpublishedMonths: []string{}, countersVersion: s.version,
	}
	st.Totals.FFT = newFFT()
	for _, qi := range sv.questions {
		qs := QuestionStats{
			Key: qi.key, ID: qi.q.ID, Short: qi.q.Short, Prompt: qi.q.Prompt, Kind: qi.q.Kind,
			Scope: ScopeVersion, Options: qi.q.Options, Versions: sortedKeys(qi.versions),
		}
		if qi.common {
			qs.Scope = ScopeService
		}
		qs.Total.Counts = make([]int64, len(qi.q.Options))
		qs.Months = []QuestionMonth{}
		st.Questions = append(st.Questions, qs)
	}
	if sv.score != nil {
		st.ScoreQuestion = sv.score.key
	}
	return st
}

// monthStats computes a published month's figures from its counters (docs,
// by version) and adds each question's to st; ok is false when the month has
// fewer than k responses and publishes nothing.
func monthStats(s *snapshot, sv *surveyVersions, st *ServiceStats, r Range, k int, m string, docs map[string]*survey.CounterDoc) (MonthStats, bool) {
	var n int64
	for _, c := range docs {
		n += c.N
	}
	if n < int64(k) {
		return MonthStats{}, false
	}
	ms := MonthStats{Month: m, Figures: &Summary{Responses: n, FFT: newFFT()}}
	for v, c := range docs {
		if c.N >= int64(k) {
			ms.Versions = append(ms.Versions, v)
		}
	}
	sort.Strings(ms.Versions)
	for i, qi := range sv.questions {
		f := monthFigures(qi, docs, k)
		qs := &st.Questions[i]
		if f == nil {
			qs.Months = append(qs.Months, QuestionMonth{Month: m, Hidden: true})
			continue
		}
		qs.Months = append(qs.Months, QuestionMonth{Month: m, Figures: f})
		qs.Total.Answered += f.Answered
		for j, c := range f.Counts {
			qs.Total.Counts[j] += c
		}
		if qi.q.ID == survey.FFTQuestionID {
			ms.Figures.FFT = fftFrom(f.Counts)
		}
		if qi == sv.score {
			ms.Figures.Score = f.Score
		}
	}
	// Invitations are texts sent: a rate only of the responses that came through them.
	if inv := s.invitations[sv.current.Service][m]; inv > 0 && r.source() == Verified {
		ms.Figures.Invitations = inv
		ms.Figures.rateResponse = n
		ms.Figures.ResponseRate = percent(n, inv)
	}
	return ms, true
}

// monthFigures adds up one question's answers in a published month, from the
// buckets that publish it; nil means no published bucket holds them.
func monthFigures(qi *questionIdentity, docs map[string]*survey.CounterDoc, k int) *QuestionFigures {
	f := &QuestionFigures{}
	if qi.q.Kind != survey.Text {
		f.Counts = make([]int64, len(qi.q.Options))
	}
	contributed := qi.common // the month's bucket is published
	for v, c := range docs {
		if !qi.counts(v) {
			continue
		}
		if !qi.common {
			if c.N < int64(k) {
				continue // this version's bucket publishes nothing
			}
			contributed = true
		}
		f.Answered += c.Q[qi.q.ID]
		for i, o := range qi.q.Options {
			if f.Counts != nil {
				f.Counts[i] += c.A[qi.q.ID][o.Value]
			}
		}
	}
	if !contributed {
		return nil
	}
	if qi.q.Kind == survey.Likelihood {
		f.Score = scoreFrom(f.Counts)
	}
	return f
}

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
