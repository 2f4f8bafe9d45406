package ballotbox

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/feedback-service/feedback/survey"
)

// ErrToken means a form's token is not one signed with the service's key (or
// is garbled): the answers are not stored, and the form can be sent again
// without it.
var ErrToken = errors.New("the form's token is not valid")

// TokenVerifier checks a token, the browser's prepared message followed by a
// blind signature over it (RFC 9474), against service's public key, and
// returns the prepared message and true; false for a token it refuses. An
// error says the key could not be read.
type TokenVerifier interface {
	VerifyToken(ctx context.Context, service string, token []byte) (prepared []byte, ok bool, err error)
	// SpendTokens marks tokens spent, prepared[i] for services[i], in one
	// write; fresh[i] is false for one spent before. An error means whether any
	// was spent is unknown.
	SpendTokens(ctx context.Context, services []string, prepared [][]byte) (fresh []bool, err error)
}

// tokenBallotLabel separates ballot ids made from tokens from any other use
// of the same bytes.
const tokenBallotLabel = "feedback ballot from blind token v1"

// maxTokenChars bounds the token field before it is decoded: 320 bytes of
// base64url are 427 characters.
const maxTokenChars = 512

// SubmitToken is SubmitInvited for a form whose browser exchanged its
// invitation for a blind signature (see package invitation): the response is
// verified by the token's signature and stored under an _id derived from the
// token alone. The token is spent with its batch, as invitations are: a mark
// that outlives the ballot (whose _id stops a replay only until its month is
// released), so a token makes one verified response ever; a token spent
// before makes an open one, or none if its ballot is still there. The
// invitation was spent at the exchange; this request carries no value that
// exchange saw.
func (r *Responses) SubmitToken(ctx context.Context, d *survey.Definition, nonce, token string, answers survey.Answers) (Outcome, error) {
	outcome, _, err := r.submitToken(ctx, d, nonce, token, answers, "")
	return outcome, err
}

func (r *Responses) submitToken(ctx context.Context, d *survey.Definition, nonce, token string, answers survey.Answers, lang string) (Outcome, bool, error) {
	if _, _, err := r.keys.Check(ctx, d.Service, nonce); err != nil {
		if errors.Is(err, ErrNonce) {
			return 0, false, ErrNonce
		}
		return 0, false, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	id, prepared, err := r.tokenBallotID(ctx, d.Service, token)
	if err != nil {
		return 0, false, err
	}
	answers, flags := readComments(r.comments, d, answers, lang)
	p := &pending{id: id, def: d, answer: answers, flags: flags, token: prepared, result: make(chan error, 1)}
	outcome, err := r.enqueue(ctx, p)
	return outcome, flags.safeguarding, err
}

// tokenBallotID checks token and returns the _id its ballot is stored under:
// a hash of the service and the prepared message, 128 bits like a nonce's,
// and the prepared message, which names the token.
func (r *Responses) tokenBallotID(ctx context.Context, service, token string) (string, []byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(token) > maxTokenChars || r.tokens == nil {
		return "", nil, ErrToken
	}
	prepared, ok, err := r.tokens.VerifyToken(ctx, service, raw)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if !ok {
		return "", nil, ErrToken
	}
	h := sha256.New()
	for _, part := range []string{tokenBallotLabel, service, string(prepared)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), prepared, nil
}

// spendTokens spends the batch's tokens in one write and marks verified the
// responses whose token was fresh.
func (r *Responses) spendTokens(ctx context.Context, batch []*pending) error {
	var services []string
	var prepared [][]byte
	var which []*pending
	for _, p := range batch {
		if p.token != nil {
			services, prepared, which = append(services, p.def.Service), append(prepared, p.token), append(which, p)
		}
	}
	if len(which) == 0 || r.tokens == nil {
		return nil
	}
	fresh, err := r.tokens.SpendTokens(ctx, services, prepared)
	if err != nil {
		return err
	}
	for i, p := range which {
		p.verified = i < len(fresh) && fresh[i]
	}
	return nil
}
