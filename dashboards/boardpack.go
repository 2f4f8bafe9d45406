package dashboards

import (
	"context"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The monthly board pack: one page per service with its headline figures
// (the month, the month before and the 12-month mean, with intervals and the
// response rate), its control charts, top themes and the comments a lead picked.

// boardPicksCollection holds the comments a lead picked for the board pack,
// one small document each (_id service|month|key).
const boardPicksCollection = "board_picks"

// TrendMonths is how many months the board pack's control charts cover at
// most; they start at the first of them with published figures.
const TrendMonths = 24

// TrendRange is the TrendMonths ending with r's last month, of r's source.
func TrendRange(r Range) Range {
	return Range{From: shiftMonth(r.To, 1-TrendMonths), To: r.To, Source: r.Source}
}

// YearMonths is how many months the board pack's mean covers.
const YearMonths = 12

// MaxPicked is how many picked comments a service's page shows.
const MaxPicked = 6

// ServicePack is one service's page of the board pack.
type ServicePack struct {
	Stats *ServiceStats `json:"stats"`
	// Headlines are the period's last month beside the month before and the
	// 12 months ending with it.
	Headlines Headlines `json:"headlines"`
	// Trend is the months up to TrendMonths ending with the period, from the
	// first with published figures, which the control charts cover: a month
	// alone is one dot, not a process, and a chart half empty says nothing.
	Trend     *ServiceStats `json:"trend"`
	Charts    []Chart       `json:"charts"`
	TopThemes []ThemeTotal  `json:"top_themes"`
	Picked    []CommentView `json:"picked"`
}

// ThemeTotal is a theme and its number of comments.
type ThemeTotal struct {
	Theme string `json:"theme"`
	Count int    `json:"count"`
}

// BoardPack computes every service's page for r, from published months only.
func (d *Dashboards) BoardPack(ctx context.Context, r Range) ([]ServicePack, error) {
	var out []ServicePack
	for _, service := range d.Services() {
		st, err := d.Service(ctx, service, r)
		if err != nil {
			return nil, err
		}
		trend, err := d.trend(ctx, service, r)
		if err != nil {
			return nil, err
		}
		p := ServicePack{Stats: st, Trend: trend}
		if p.Headlines, err = d.headlines(ctx, service, r); err != nil {
			return nil, err
		}
		for _, c := range Charts(trend) {
			if c.SPC != nil {
				p.Charts = append(p.Charts, c)
			}
		}
		counts, err := d.CountThemes(ctx, service, r)
		if err != nil {
			return nil, err
		}
		p.TopThemes = TopThemes(counts, 5)
		if p.Picked, err = d.pickedComments(ctx, service, r); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// trend is a service's figures over the TrendMonths ending with r, from the
// first month with published figures (r alone if none has any).
func (d *Dashboards) trend(ctx context.Context, service string, r Range) (*ServiceStats, error) {
	tr := TrendRange(r)
	st, err := d.Service(ctx, service, tr)
	if err != nil {
		return nil, err
	}
	for _, m := range st.Months {
		if m.Figures == nil {
			continue
		}
		if m.Month == tr.From {
			return st, nil
		}
		return d.Service(ctx, service, Range{From: m.Month, To: r.To, Source: r.Source})
	}
	return d.Service(ctx, service, r)
}

// Headlines are a service's headline figures for the board pack.
type Headlines struct {
	Month    MonthHeadline `json:"month"`
	Previous MonthHeadline `json:"previous"`
	Year     YearMean      `json:"year"`
}

// MonthHeadline is one month's figures; Figures is nil when the month is
// hidden (fewer than K responses) or not published yet.
type MonthHeadline struct {
	Month       string   `json:"month"`
	Hidden      bool     `json:"hidden,omitempty"`
	Unpublished bool     `json:"unpublished,omitempty"`
	Figures     *Summary `json:"figures,omitempty"`
}

// YearMean is the YearMonths ending with the period's last month: the
// responses per published month, and the percentages and score over every
// answer of those months (the mean of the months weighted by their answers).
// Hidden and unpublished months are in no figure.
type YearMean struct {
	Range         Range    `json:"range"`
	Months        int      `json:"months"` // published months with figures
	Figures       Summary  `json:"figures"`
	MeanResponses *float64 `json:"mean_responses,omitempty"`
}

func (d *Dashboards) headlines(ctx context.Context, service string, r Range) (Headlines, error) {
	yr := Range{From: shiftMonth(r.To, 1-YearMonths), To: r.To, Source: r.Source}
	st, err := d.Service(ctx, service, yr)
	if err != nil {
		return Headlines{}, err
	}
	h := Headlines{Month: monthHeadline(st, r.To), Previous: monthHeadline(st, shiftMonth(r.To, -1)),
		Year: YearMean{Range: yr, Figures: st.Totals}}
	for _, m := range st.Months {
		if m.Figures != nil {
			h.Year.Months++
		}
	}
	if h.Year.Months > 0 {
		mean := round1(float64(st.Totals.Responses) / float64(h.Year.Months))
		h.Year.MeanResponses = &mean
	}
	return h, nil
}

func monthHeadline(st *ServiceStats, month string) MonthHeadline {
	for _, m := range st.Months {
		if m.Month == month {
			return MonthHeadline{Month: month, Hidden: m.Hidden, Figures: m.Figures}
		}
	}
	return MonthHeadline{Month: month, Unpublished: true}
}

// RateResponses is the number of responses the response rate is of: those
// of the months with a count of invitations sent.
func (s Summary) RateResponses() int64 { return s.rateResponse }

// TopThemes returns the n themes with most comments, most first.
func TopThemes(c *ThemeCounts, n int) []ThemeTotal {
	var out []ThemeTotal
	for i, t := range c.Themes {
		if c.Totals[i] > 0 {
			out = append(out, ThemeTotal{t, c.Totals[i]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out[:min(n, len(out))]
}

func (d *Dashboards) pickedComments(ctx context.Context, service string, r Range) ([]CommentView, error) {
	s, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	picked := []CommentView{}
	_, err = d.eachComment(ctx, service, r, CommentFilter{}, "", func(_ *CommentPage, c CommentView) bool {
		if s.picks[correctionID(service, c.Month, c.Key)] {
			picked = append(picked, c)
		}
		return len(picked) < MaxPicked
	})
	return picked, err
}

// Picked says whether a comment is picked for the board pack.
func (d *Dashboards) Picked(ctx context.Context, service, month, key string) (bool, error) {
	s, err := d.current(ctx)
	if err != nil {
		return false, err
	}
	return s.picks[correctionID(service, month, key)], nil
}

// PickComment adds a published comment to the board pack, or takes it out.
// The caller audits who did.
func (d *Dashboards) PickComment(ctx context.Context, service, month, key string, pick bool) error {
	if _, err := d.Comment(ctx, service, month, key); err != nil {
		return err
	}
	id := correctionID(service, month, key)
	coll := d.db.Collection(boardPicksCollection)
	var err error
	if pick {
		_, err = coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "picked", Value: true}}}}, options.UpdateOne().SetUpsert(true))
	} else {
		_, err = coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	}
	if err != nil {
		return fmt.Errorf("save board pack pick: %w", err)
	}
	return d.Refresh(ctx)
}

func readPicks(ctx context.Context, db *mongo.Database) (map[string]bool, []rawDoc, error) {
	docs, err := readAll(ctx, db.Collection(boardPicksCollection))
	if err != nil {
		return nil, nil, fmt.Errorf("read board pack picks: %w", err)
	}
	out := map[string]bool{}
	for _, r := range docs {
		out[r.id] = true
	}
	return out, docs, nil
}
