package ballotbox

import (
	"context"
	"errors"

	"github.com/feedback-service/feedback/survey"
)

// Sent is one survey form as it arrived: the nonces it carried (one is
// expected), the blind token or invitation it came with, if any, and its
// answers, or why they cannot be stored.
type Sent struct {
	Def        *survey.Definition
	Nonces     []string
	Token      string // a blind token the browser exchanged its invitation for
	Invitation string // or the invitation itself, spent as the ballot is stored
	Answers    survey.Answers
	// Lang is the language of the page the answers were written on ("cy" or
	// "en"), which the comments are read in.
	Lang string
	// Invalid is the answers' validation error, if they did not parse: the
	// form is to be shown again and nothing is stored.
	Invalid error
}

// Receipt says what became of a form, and which nonce to show it again with
// when it is to be shown again.
type Receipt struct {
	Outcome Outcome
	// Nonce is the nonce sent, when the form is shown again and that nonce
	// still holds (a fixed form is still the same form, so it cannot be
	// stored twice); empty means a fresh one.
	Nonce string
	// Safeguarding: a comment spoke of risk. The person's thank-you page
	// opens with a crisis message; nothing else is kept of it but a flag
	// sealed with the ballot.
	Safeguarding bool
	// Mark is for the thank-you address: the same length whatever it holds,
	// it tells the page (Responses.Safeguarding) to open with the crisis
	// message, and nobody else anything.
	Mark string
}

// Receive is the one door for a submission: it stores the answers as a sealed
// ballot, and says what the person should see next. Its errors: s.Invalid
// itself; ErrToken (nothing stored: the same form without the token stores
// the answers open, Receipt.Nonce is kept); ErrNonce (a fresh form);
// ErrUnavailable (not stored, not acknowledged: show the answers again with
// Receipt.Nonce, so sending again cannot store them twice).
func (r *Responses) Receive(ctx context.Context, s Sent) (Receipt, error) {
	if s.Invalid != nil {
		var rc Receipt
		if len(s.Nonces) == 1 {
			if _, err := r.keys.BallotID(ctx, s.Def.Service, s.Nonces[0]); err == nil {
				rc.Nonce = s.Nonces[0]
			}
		}
		return rc, s.Invalid
	}
	if len(s.Nonces) != 1 {
		return Receipt{}, ErrNonce
	}
	nonce := s.Nonces[0]
	var outcome Outcome
	var risk bool
	var err error
	if s.Token != "" {
		outcome, risk, err = r.submitToken(ctx, s.Def, nonce, s.Token, s.Answers, s.Lang)
	} else {
		outcome, risk, err = r.submitInvited(ctx, s.Def, nonce, s.Invitation, s.Answers, s.Lang)
	}
	switch {
	case errors.Is(err, ErrNonce):
		return Receipt{}, err
	case err != nil:
		return Receipt{Nonce: nonce}, err
	}
	mark, err := r.mark(ctx, risk)
	if err != nil {
		// Stored, and acknowledged: a thank-you page without the mark only
		// loses the crisis message, which the page's emergency box still gives.
		r.log.Error("make a thank-you mark", "err", err)
	}
	return Receipt{Outcome: outcome, Safeguarding: risk, Mark: mark}, nil
}
