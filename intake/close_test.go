package intake

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/field"
)

func TestCloseContact_RefusesAMissingOrOverlongOutcomeAndKeepsTheContactOpen(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	o := mustOpen(t, s, counsellingCaller())
	ctx := context.Background()
	for _, outcome := range []string{"", "   ", strings.Repeat("é", MaxOutcome+1)} {
		_, err := s.CloseContact(ctx, o.Contact.ID, outcome)
		var problems field.Errors
		if !errors.As(err, &problems) || problems.For("outcome") == "" {
			t.Fatalf("outcome of %d characters: err %v, want a problem with outcome", len([]rune(outcome)), err)
		}
	}
	if c, err := s.Contact(ctx, o.Contact.ID); err != nil || c.ClosedAt != nil {
		t.Fatalf("contact after refused outcomes: %+v, %v; want it open", c, err)
	}
	c, err := s.CloseContact(ctx, o.Contact.ID, "  "+strings.Repeat("é", MaxOutcome)+"  ")
	if err != nil || c.Outcome != strings.Repeat("é", MaxOutcome) {
		t.Fatalf("outcome of exactly %d characters: %v, outcome %d characters", MaxOutcome, err, len([]rune(c.Outcome)))
	}
}
