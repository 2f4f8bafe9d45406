package dashboards

import (
	"context"
	"fmt"
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
