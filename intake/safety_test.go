package intake

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/field"
)

func TestSafetyConcern_StepsThroughToTheGMCAndIntoTheExportOnly(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	if _, err := s.RaiseConcern(ctx, mustOpen(t, s, counsellingCaller()).Contact.ID, SafetyForm{Concern: "x", Day: "23", Month: "11", Year: "2026"}); !errors.Is(err, ErrNotPeerSupport) {
		t.Errorf("concern on counselling: %v", err)
	}
	o := mustOpen(t, s, peerCaller())
	id := o.Contact.ID
	if _, err := s.RecordSafetyStep(ctx, id, SafetyForm{Kind: StepEncouraged, Day: "23", Month: "11", Year: "2026"}); !errors.Is(err, ErrNoConcern) {
		t.Errorf("step before a concern: %v", err)
	}
	if _, err := s.RaiseConcern(ctx, id, SafetyForm{Day: "24", Month: "11", Year: "2026"}); !errors.As(err, new(field.Errors)) {
		t.Errorf("concern without words, in the future: %v", err)
	}
	if _, err := s.RaiseConcern(ctx, id, SafetyForm{Concern: "Operating while unwell", Day: "23", Month: "11", Year: "2026"}); err != nil {
		t.Fatal(err)
	}
	day := SafetyForm{Day: "23", Month: "11", Year: "2026"}
	steps := []SafetyForm{
		{Kind: StepEncouraged}, {Kind: StepAdvice, From: "Medical director of the service"},
		{Kind: StepGMC, GMCContacted: "yes", Reason: "Continued to operate after advice"},
	}
	if _, err := s.RecordSafetyStep(ctx, id, SafetyForm{Kind: StepGMC, Day: "23", Month: "11", Year: "2026"}); !errors.As(err, new(field.Errors)) {
		t.Errorf("GMC step without answer or reason: %v", err)
	}
	for _, f := range steps {
		f.Day, f.Month, f.Year = day.Day, day.Month, day.Year
		if _, err := s.RecordSafetyStep(ctx, id, f); err != nil {
			t.Fatalf("%s: %v", f.Kind, err)
		}
	}
	sc, err := s.SafetyConcern(ctx, id)
	if err != nil || len(sc.Steps) != 3 || sc.GMCStep() == nil || !sc.GMCStep().Contacted || sc.Steps[1].From == "" {
		t.Fatalf("concern %+v, %v", sc, err)
	}
	// The contact a call handler reads holds nothing of it.
	raw, _ := json.Marshal(mustContact(t, s, id))
	if strings.Contains(string(raw), "Operating") || strings.Contains(string(raw), "GMC") {
		t.Errorf("contact carries the concern: %s", raw)
	}
	sa, err := s.Export(ctx, o.Person.ID)
	if err != nil || len(sa.SafetyConcerns) != 1 || len(sa.SafetyConcerns[0].Steps) != 3 {
		t.Fatalf("export %+v, %v", sa.SafetyConcerns, err)
	}
	if err := s.Erase(ctx, o.Person.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SafetyConcern(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("concern after erasure: %v", err)
	}
}

func mustContact(t *testing.T, s *Store, id string) Contact {
	t.Helper()
	c, err := s.Contact(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Issue 32.3: the GMC is a last resort. Encouraging the caller comes first,
// taking advice second, and only then the GMC (with a reason); a step out of
// order, or dated before the one it follows, is refused and nothing is recorded.
func TestSafetyConcern_EscalationOrderIsEnforced(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	id := mustOpen(t, s, peerCaller()).Contact.ID
	if _, err := s.RaiseConcern(ctx, id, SafetyForm{Concern: "Operating while unwell", Day: "20", Month: "11", Year: "2026"}); err != nil {
		t.Fatal(err)
	}
	step := func(kind, day string) error {
		_, err := s.RecordSafetyStep(ctx, id, SafetyForm{Kind: kind, Day: day, Month: "11", Year: "2026",
			From: "Medical director", GMCContacted: "yes", Reason: "Still operating after advice"})
		return err
	}
	var problems field.Errors
	if err := step(StepGMC, "20"); !errors.As(err, &problems) || problems.For("kind") == "" {
		t.Errorf("GMC first: %v", err)
	}
	if err := step(StepAdvice, "20"); !errors.As(err, &problems) || problems.For("kind") == "" {
		t.Errorf("advice before encouraging: %v", err)
	}
	if err := step(StepEncouraged, "21"); err != nil {
		t.Fatal(err)
	}
	if err := step(StepAdvice, "20"); !errors.As(err, &problems) || problems.For("on") == "" {
		t.Errorf("advice dated before encouraging: %v", err)
	}
	if err := step(StepAdvice, "22"); err != nil {
		t.Fatal(err)
	}
	if err := step(StepGMC, "23"); err != nil {
		t.Fatal(err)
	}
	sc, _ := s.SafetyConcern(ctx, id)
	if len(sc.Steps) != 3 || sc.Steps[0].Kind != StepEncouraged || sc.Steps[2].Kind != StepGMC || sc.Steps[2].On != "2026-11-23" {
		t.Errorf("steps %+v", sc.Steps)
	}
}
