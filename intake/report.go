package intake

import (
	"context"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// MinGroup is K, the smallest number the intake report shows: a month with
// fewer contacts is hidden, and so is any count below it. It is the same K
// as the dashboards' (a test in api holds the two together).
const MinGroup = 10

// ProfileReport counts contacts by the privacy notice's fields, by closed month.
type ProfileReport struct {
	Months []ProfileMonth
}

// ProfileMonth is one closed month; Hidden when it had fewer than MinGroup contacts.
type ProfileMonth struct {
	Month  string // YYYY-MM
	N      int
	Hidden bool
	Fields []ProfileField
}

// ProfileField is the counts of one field's answers.
type ProfileField struct {
	Name string
	Rows []ProfileRow
}

// ProfileRow is one answer's count; Suppressed counts are not shown.
type ProfileRow struct {
	Value      string
	Count      int
	Suppressed bool
}

type profileCounts struct {
	Month     string         `bson:"_id"`
	N         int            `bson:"n"`
	Service   map[string]int `bson:"service"`
	Role      map[string]int `bson:"role"`
	AgeBand   map[string]int `bson:"age_band"`
	Ethnicity map[string]int `bson:"ethnicity"`
	Gender    map[string]int `bson:"gender"`
	Specialty map[string]int `bson:"specialty"`
}

// Report reads the counts of the last months closed months (one small
// document each) and suppresses small numbers.
func (s *Store) Report(ctx context.Context, months int) (ProfileReport, error) {
	current := s.Now().In(s.Location).Format("2006-01")
	cur, err := s.coll(collProfileCounts).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: current}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(months)))
	if err != nil {
		return ProfileReport{}, fmt.Errorf("intake report: %w", err)
	}
	var docs []profileCounts
	if err := cur.All(ctx, &docs); err != nil {
		return ProfileReport{}, fmt.Errorf("intake report: %w", err)
	}
	var r ProfileReport
	for _, d := range docs {
		m := ProfileMonth{Month: d.Month, N: d.N, Hidden: d.N < MinGroup}
		if !m.Hidden {
			for _, f := range []struct {
				name   string
				counts map[string]int
			}{{"service", d.Service}, {"role", d.Role}, {"age_band", d.AgeBand}, {"ethnicity", d.Ethnicity},
				{"gender", d.Gender}, {"specialty", d.Specialty}} {
				m.Fields = append(m.Fields, ProfileField{Name: f.name, Rows: suppress(f.counts)})
			}
		}
		r.Months = append(r.Months, m)
	}
	return r, nil
}

// suppress hides every count below MinGroup, and when only one is hidden,
// the next smallest too, so no hidden count can be worked out from the total.
func suppress(counts map[string]int) []ProfileRow {
	rows := make([]ProfileRow, 0, len(counts))
	for v, n := range counts {
		rows = append(rows, ProfileRow{Value: v, Count: n, Suppressed: n < MinGroup})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Count != rows[j].Count {
			return rows[i].Count < rows[j].Count
		}
		return rows[i].Value < rows[j].Value
	})
	hidden := 0
	for _, r := range rows {
		if r.Suppressed {
			hidden++
		}
	}
	if hidden == 1 && len(rows) > 1 {
		rows[1].Suppressed = true
	}
	for i := range rows {
		if rows[i].Suppressed {
			rows[i].Count = 0 // never leaves the domain
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Value < rows[j].Value })
	return rows
}
