package dashboards

import (
	"context"
	"errors"
	"fmt"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// spcSettingsCollection holds a target and a baseline per service and
// measure: a handful of documents, read whole with the counters.
const spcSettingsCollection = "spc_settings"

// The measures read as control charts; each is also the name of its chart.
const (
	MeasureFFT       = ChartFFT
	MeasureScore     = ChartScore
	MeasureResponses = ChartResponses
)

// Measure says how one monthly figure is charted.
type Measure struct {
	Name        string
	Title       string
	Method      SPCMethod
	Improvement Improvement
	Min, Max    float64 // the range a target may take
}

// Measures are FFT % positive (a p-chart: its limits follow each month's
// answers), the likelihood-to-recommend score and monthly responses (XmR).
var Measures = []Measure{
	{MeasureFFT, "FFT % positive", PChart, Higher, 0, 100},
	{MeasureScore, "Likelihood to recommend score", XmR, Higher, -100, 100},
	{MeasureResponses, "Responses", XmR, Neutral, 0, math.Inf(1)},
}

// MeasureByName returns a measure.
func MeasureByName(name string) (Measure, bool) {
	for _, m := range Measures {
		if m.Name == name {
			return m, true
		}
	}
	return Measure{}, false
}

// MeasureSetting is a lead's choice for one measure of one service.
type MeasureSetting struct {
	Service  string   `bson:"service" json:"service"`
	Measure  string   `bson:"measure" json:"measure"`
	Target   *float64 `bson:"target,omitempty" json:"target,omitempty"`
	Baseline string   `bson:"baseline,omitempty" json:"baseline,omitempty"`
}

// Errors of a refused setting; their text says why.
var (
	ErrSetting  = errors.New("invalid setting")
	ErrTarget   = fmt.Errorf("%w: target", ErrSetting)
	ErrBaseline = fmt.Errorf("%w: baseline", ErrSetting)
)

func settingID(service, measure string) string { return service + "|" + measure }

// readSettings reads every measure setting, keyed by service|measure.
func readSettings(ctx context.Context, db *mongo.Database) (map[string]MeasureSetting, []rawDoc, error) {
	docs, err := readAll(ctx, db.Collection(spcSettingsCollection))
	if err != nil {
		return nil, nil, fmt.Errorf("read SPC settings: %w", err)
	}
	out := map[string]MeasureSetting{}
	for _, r := range docs {
		var s MeasureSetting
		if err := bson.Unmarshal(r.raw, &s); err != nil {
			return nil, nil, fmt.Errorf("decode SPC setting %q: %w", r.id, err)
		}
		out[settingID(s.Service, s.Measure)] = s
	}
	return out, docs, nil
}

// Setting returns the target and baseline of a service's measure.
func (d *Dashboards) Setting(ctx context.Context, service, measure string) (MeasureSetting, error) {
	if _, ok := d.survey(service); !ok {
		return MeasureSetting{}, fmt.Errorf("%w: %q", ErrUnknownService, service)
	}
	s, err := d.current(ctx)
	if err != nil {
		return MeasureSetting{}, err
	}
	set, ok := s.settings[settingID(service, measure)]
	if !ok {
		set = MeasureSetting{Service: service, Measure: measure}
	}
	return set, nil
}

// SaveSetting stores a service's measure's target (nil for none) and
// baseline month ("" for none), after checking them, and reloads the figures.
// The caller audits who changed it.
func (d *Dashboards) SaveSetting(ctx context.Context, set MeasureSetting) error {
	if _, ok := d.survey(set.Service); !ok {
		return fmt.Errorf("%w: %q", ErrUnknownService, set.Service)
	}
	m, ok := MeasureByName(set.Measure)
	if !ok {
		return fmt.Errorf("%w: no measure %q", ErrSetting, set.Measure)
	}
	if t := set.Target; t != nil && (math.IsNaN(*t) || *t < m.Min || *t > m.Max) {
		return fmt.Errorf("%w: a target for %s is a number from %v to %v", ErrTarget, m.Title, m.Min, m.Max)
	}
	if set.Baseline != "" {
		if err := (Range{From: set.Baseline, To: set.Baseline}).Validate(); err != nil {
			return fmt.Errorf("%w: a baseline is a month, written YYYY-MM", ErrBaseline)
		}
	}
	doc := bson.D{{Key: "_id", Value: settingID(set.Service, set.Measure)}, {Key: "service", Value: set.Service}, {Key: "measure", Value: set.Measure}}
	if set.Target != nil {
		doc = append(doc, bson.E{Key: "target", Value: *set.Target})
	}
	if set.Baseline != "" {
		doc = append(doc, bson.E{Key: "baseline", Value: set.Baseline})
	}
	_, err := d.db.Collection(spcSettingsCollection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc[0].Value}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save SPC setting: %w", err)
	}
	return d.Refresh(ctx)
}

// serviceSPC computes the control chart of every measure a service has, from
// its published months and the lead's settings.
func serviceSPC(st *ServiceStats, settings map[string]MeasureSetting) map[string]*SPC {
	out := map[string]*SPC{}
	for _, m := range Measures {
		if m.Name == MeasureScore && st.ScoreQuestion == "" {
			continue
		}
		var in []SPCInput
		for _, ms := range st.Months {
			if p, ok := spcInput(m.Name, ms); ok {
				in = append(in, p)
			}
		}
		set := settings[settingID(st.Service, m.Name)]
		out[m.Name] = ComputeSPC(m.Method, m.Improvement, in, set.Baseline, set.Target)
	}
	return out
}

// spcInput is one published month's value of a measure; ok is false for a
// hidden month or one with no answer to the measure's question.
func spcInput(measure string, ms MonthStats) (SPCInput, bool) {
	f := ms.Figures
	if f == nil {
		return SPCInput{}, false
	}
	switch measure {
	case MeasureFFT:
		if f.FFT.Answers == 0 {
			return SPCInput{}, false
		}
		pos := f.FFT.Counts[0].Count + f.FFT.Counts[1].Count
		return SPCInput{Month: ms.Month, Value: 100 * float64(pos) / float64(f.FFT.Answers), Successes: pos, N: f.FFT.Answers}, true
	case MeasureScore:
		if f.Score == nil {
			return SPCInput{}, false
		}
		return SPCInput{Month: ms.Month, Value: f.Score.Score}, true
	}
	return SPCInput{Month: ms.Month, Value: float64(f.Responses)}, true
}
