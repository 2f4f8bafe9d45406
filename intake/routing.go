package intake

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Routing is who a contact goes to and why, in words the handler can read out.
type Routing struct {
	Practitioner Practitioner
	Reason       string
	// RequestedUnavailable is true when the caller asked for the same counsellor
	// and that counsellor is not taking callers: tell the caller so.
	RequestedUnavailable bool
}

// ErrNoPractitioner is returned when no practitioner of the needed kind is active.
var ErrNoPractitioner = errors.New("no active practitioner for this service")

// isoWeek names the ISO week t falls in, e.g. "2026-W48".
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// free is a practitioner's capacity left this week (negative when over).
func free(p Practitioner, week string) int {
	if p.RoutedWeek != week {
		return p.WeeklyCapacity
	}
	return p.WeeklyCapacity - p.Routed
}

// Route chooses who a contact for service goes to, by the rules of its kind
// (a new service routes like the built-in it is based on). Counselling goes to the
// requested counsellor (the caller's previous one) when they are active, even if
// their week is full; otherwise, and for peer support, to the active practitioner
// with the most capacity left this ISO week, ties broken by name then id.
// Route only reads: OpenContact records the choice.
func (s *Store) Route(ctx context.Context, service ServiceType, requestedID string) (Routing, error) {
	kind, ok := s.Services.Kind(service)
	if !ok {
		return Routing{}, fmt.Errorf("route: service %q is not configured", service)
	}
	ps, err := s.Practitioners(ctx, kindFor(kind))
	if err != nil {
		return Routing{}, fmt.Errorf("route: %w", err)
	}
	week := isoWeek(s.Now().In(s.Location))
	var requested *Practitioner
	active := ps[:0:0]
	for i, p := range ps {
		if p.ID == requestedID && requestedID != "" {
			requested = &ps[i]
		}
		if p.Active {
			active = append(active, p)
		}
	}
	if requested != nil && requested.Active {
		return Routing{Practitioner: *requested, Reason: fmt.Sprintf("%s again, as the caller asked (%s).",
			requested.Name, capacityText(*requested, week))}, nil
	}
	if len(active) == 0 {
		return Routing{}, ErrNoPractitioner
	}
	// Practitioners come sorted by name then id, so a stable sort keeps that
	// order among equals: the tie-break is deterministic.
	sort.SliceStable(active, func(i, j int) bool { return free(active[i], week) > free(active[j], week) })
	best := active[0]
	r := Routing{Practitioner: best}
	what := "counsellor"
	if kind == PeerSupport {
		what = "peer supporter"
	}
	r.Reason = fmt.Sprintf("%s is the active %s with the most free capacity this week (%s).", best.Name, what, capacityText(best, week))
	if requestedID != "" {
		r.RequestedUnavailable = true
		name := "The caller's previous counsellor"
		if requested != nil {
			name = requested.Name
		}
		r.Reason = fmt.Sprintf("%s is not taking callers at the moment; offer %s instead. %s", name, best.Name, r.Reason)
	}
	return r, nil
}

func capacityText(p Practitioner, week string) string {
	f := free(p, week)
	if f <= 0 {
		return fmt.Sprintf("weekly capacity of %d reached", p.WeeklyCapacity)
	}
	return fmt.Sprintf("%d of %d places free", f, p.WeeklyCapacity)
}

// countRouted adds one to the practitioner's count for this week, starting the
// count again when the week has changed.
func (s *Store) countRouted(ctx context.Context, practitionerID string) error {
	week := isoWeek(s.Now().In(s.Location))
	coll := s.coll(collPractitioners)
	for range 3 {
		res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: practitionerID}, {Key: "routed_week", Value: week}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "routed", Value: 1}}}})
		if err != nil {
			return fmt.Errorf("count routed: %w", err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
		res, err = coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: practitionerID}, {Key: "routed_week", Value: bson.D{{Key: "$ne", Value: week}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "routed_week", Value: week}, {Key: "routed", Value: 1}}}})
		if err != nil {
			return fmt.Errorf("count routed: %w", err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
		// Another handler started the week between the two updates: count again.
	}
	return fmt.Errorf("count routed: practitioner %s not found", practitionerID)
}
