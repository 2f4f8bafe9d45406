package intake

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestOpenContact_CallersTurnedAwayAreCountedByServiceReasonAndMonthOnly(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	month := clk.Now().In(s.Location).Format("2006-01")

	// Nobody to route to: refused, counted.
	_, err := s.OpenContact(ctx, counsellingCaller())
	if !errors.Is(err, ErrNoPractitioner) {
		t.Fatalf("no counsellor: %v", err)
	}
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	for i := 0; i < 11; i++ {
		n := counsellingCaller()
		n.Role = Other
		var r *Refusal
		if _, err := s.OpenContact(ctx, n); !errors.As(err, &r) {
			t.Fatalf("not eligible: %v, want the refusal", err)
		}
	}
	for i := 0; i < 10; i++ {
		n := counsellingCaller()
		n.DateOfBirth = isoDay(-15 * 365)
		var r *Refusal
		if _, err := s.OpenContact(ctx, n); !errors.As(err, &r) || r.Rule != RuleMinimumAge {
			t.Fatalf("under 16: %v, want the refusal", err)
		}
	}
	// At risk, the caller is recorded instead, and not counted as turned away.
	atRisk := counsellingCaller()
	atRisk.Role, atRisk.Risk, atRisk.Postcode = Other, true, "LS1 4AP"
	if _, err := s.OpenContact(ctx, atRisk); err != nil {
		t.Fatalf("at risk: %v", err)
	}

	raw, err := s.coll(collTurnedAway).FindOne(ctx, bson.D{{Key: "_id", Value: month}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID     string                    `bson:"_id"`
		Counts map[string]map[string]int `bson:"counts"`
	}
	elems, _ := raw.Elements()
	if err := bson.Unmarshal(raw, &doc); err != nil || len(elems) != 2 {
		t.Fatalf("stored %v (%v), want only _id and counts", raw, err)
	}
	c := doc.Counts["counselling"]
	if len(doc.Counts) != 1 || len(c) != 3 || c[TurnedAwayGroup] != 11 || c[TurnedAwayUnder16] != 10 || c[TurnedAwayNoPractitioner] != 1 {
		t.Fatalf("stored %v, want the month's counts by service and reason", raw)
	}

	// Shown once the month has closed, small counts suppressed.
	if away, _ := s.TurnedAway(ctx, 12); len(away) != 0 {
		t.Fatalf("the current month is shown: %+v", away)
	}
	clk.Advance(32 * 24 * time.Hour)
	away, err := s.TurnedAway(ctx, 12)
	if err != nil || len(away) != 1 || away[0].Month != month || len(away[0].Rows) != 3 {
		t.Fatalf("%+v, %v", away, err)
	}
	for _, r := range away[0].Rows {
		switch r.Reason {
		case TurnedAwayGroup:
			if r.Count != 11 || r.Suppressed {
				t.Errorf("not eligible: %+v, want 11 shown", r)
			}
		case TurnedAwayNoPractitioner, TurnedAwayUnder16: // 1 is under K, and 10 would give it away
			if r.Count != 0 || !r.Suppressed {
				t.Errorf("%s: %+v, want suppressed", r.Reason, r)
			}
		}
	}
}
