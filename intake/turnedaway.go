package intake

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Callers the service turned away (not eligible, past the session limit, or
// nobody to route them to) and who were not at risk leave no record. They are
// counted all the same, so the service can see who it cannot help: one small
// document per month, counting by service and reason, with no identity and
// nothing finer than the month. A form submitted again after a refusal counts
// again: the count is of refusals given, not of people.
const collTurnedAway = "turned_away_counts"

// Why a caller was turned away, as counted.
const (
	TurnedAwayGroup          = "not-eligible-group"
	TurnedAwayUnder16        = "under-16"
	TurnedAwayDependantAge   = "dependant-age"
	TurnedAwaySessionLimit   = "session-limit"
	TurnedAwayNoPractitioner = "no-practitioner"
	TurnedAwayOther          = "other"
)

// turnedAwayReason is the counted reason for a refusal.
func turnedAwayReason(r *Refusal) string {
	switch r.Rule {
	case RuleEligibleGroups:
		return TurnedAwayGroup
	case RuleMinimumAge:
		return TurnedAwayUnder16
	case RuleDependantAge:
		return TurnedAwayDependantAge
	case RuleSessionLimit:
		return TurnedAwaySessionLimit
	}
	return TurnedAwayOther
}

// turnAway counts a caller turned away from service for reason in this
// month, and returns why, the error the handler is shown. A failed count
// never hides the refusal.
func (s *Store) turnAway(ctx context.Context, service ServiceType, reason string, why error) error {
	month := s.Now().In(s.Location).Format("2006-01")
	key := "counts." + strings.ReplaceAll(string(service), ".", "-") + "." + reason
	_, err := s.coll(collTurnedAway).UpdateOne(ctx, bson.D{{Key: "_id", Value: month}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: key, Value: 1}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("%w (not counted: %v)", why, err)
	}
	return why
}

// TurnedAwayMonth is one closed month's callers turned away, by service and reason.
type TurnedAwayMonth struct {
	Month string // YYYY-MM
	Rows  []TurnedAwayRow
}

// TurnedAwayRow is one (service, reason) count; Suppressed counts are not shown.
type TurnedAwayRow struct {
	Service, Reason string
	Count           int
	Suppressed      bool
}

type turnedAwayCounts struct {
	Month  string                    `bson:"_id"`
	Counts map[string]map[string]int `bson:"counts"`
}

// TurnedAway reads the last months closed months' counts (one small document
// each), newest first, with small numbers suppressed as in the report.
func (s *Store) TurnedAway(ctx context.Context, months int) ([]TurnedAwayMonth, error) {
	current := s.Now().In(s.Location).Format("2006-01")
	cur, err := s.coll(collTurnedAway).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: current}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(months)))
	if err != nil {
		return nil, fmt.Errorf("turned away: %w", err)
	}
	var docs []turnedAwayCounts
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("turned away: %w", err)
	}
	out := make([]TurnedAwayMonth, 0, len(docs))
	for _, d := range docs {
		flat := map[string]int{}
		for service, reasons := range d.Counts {
			for reason, n := range reasons {
				flat[service+"\x00"+reason] = n
			}
		}
		m := TurnedAwayMonth{Month: d.Month}
		for _, r := range suppress(flat) {
			service, reason, _ := strings.Cut(r.Value, "\x00")
			m.Rows = append(m.Rows, TurnedAwayRow{Service: service, Reason: reason, Count: r.Count, Suppressed: r.Suppressed})
		}
		sort.SliceStable(m.Rows, func(i, j int) bool { return m.Rows[i].Service < m.Rows[j].Service })
		out = append(out, m)
	}
	return out, nil
}
