package ballotbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/survey"
)

var errUnexpected = errors.New("not stored")

// Two instances share a store; every invitation is answered twice at once,
// once through each (a replay, or a person on two phones). However the
// committers batch and time their spends, each invitation verifies exactly
// one response, and both responses are stored.
func TestSubmitInvited_EachInvitationVerifiesOneResponseAcrossTwoInstances(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes, err := invitation.New(ballotbox.NewSecret(), invitation.Config{BaseURL: "https://feedback.example.org", Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	instance := func() *ballotbox.Responses {
		spent := invitation.NewStore(f.db.Client().Database(invitation.Database), codes)
		r := ballotbox.NewResponses(f.db, ballotbox.Options{Now: f.clock.Now, Sealer: f.sealer, Invitations: spent})
		t.Cleanup(r.Close)
		return r
	}
	a, b := instance(), instance()
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		code, err := codes.Mint("counselling")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []*ballotbox.Responses{a, b} {
			nonce, err := r.Keys().Issue(ctx, "counselling")
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				answers := survey.Answers{"fft": {Choice: []string{"good", "poor"}[i%2]}}
				out, err := r.SubmitInvited(ctx, f.def, nonce, code, answers)
				if err == nil && out != ballotbox.Stored {
					err = errUnexpected
				}
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
	}
	docs := f.all(t, "responses")
	verified := 0
	for _, d := range docs {
		if v, _ := d["verified"].(bool); v {
			verified++
		}
	}
	if len(docs) != 2*n || verified != n {
		t.Fatalf("%d responses, %d verified; want %d and %d", len(docs), verified, 2*n, n)
	}
	// Marks are kept by the codes' expiry month: the one 14 days (the default lifetime) on.
	spent := "invitations_spent_" + f.clock.Now().Add(invitation.DefaultTTL).UTC().Format("2006_01")
	marks, err := f.db.Client().Database(invitation.Database).Collection(spent).CountDocuments(ctx, bson.D{})
	if err != nil || marks != n {
		t.Fatalf("%d spent marks (%v), want %d", marks, err, n)
	}
}
