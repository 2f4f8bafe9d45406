package ballotbox

import (
	"context"
	"fmt"
	mathrand "math/rand/v2"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/survey"
)

// ballotDoc is a sealed ballot as stored: an _id and ciphertext of one fixed
// size, nothing else. A ballot as submitted lies in its box's collection of
// the hour it arrived, under an _id derived from the form's nonce (so a
// replay of the form in that hour is caught by the unique index, and in a
// later hour by the box's guard: see collections.go); a mix copies it,
// resealed, under a random _id into the box's next generation.
type ballotDoc struct {
	ID     string `bson:"_id"`
	Sealed []byte `bson:"c"`
}

// ballot is what a sealed ballot holds.
type ballot struct {
	Service  string `bson:"s"`
	Version  string `bson:"v"`
	Verified bool   `bson:"f,omitempty"`
	Answers  bson.D `bson:"a"`
	// Safeguarding: a comment spoke of risk (comments.go). Uncertain: the
	// check was unsure a comment names nobody; a moderator reads it first.
	Safeguarding bool `bson:"g,omitempty"`
	Uncertain    bool `bson:"u,omitempty"`
}

func encodeBallot(d *survey.Definition, answers survey.Answers, verified bool, flags commentFlags) ([]byte, error) {
	b, err := bson.Marshal(ballot{Service: d.Service, Version: d.Version, Verified: verified, Answers: survey.StoredForm(d, answers),
		Safeguarding: flags.safeguarding, Uncertain: flags.uncertain})
	if err != nil {
		return nil, fmt.Errorf("encode ballot: %w", err)
	}
	return b, nil
}

func decodeBallot(b []byte) (ballot, error) {
	var out ballot
	if err := bson.Unmarshal(b, &out); err != nil {
		return ballot{}, fmt.Errorf("decode ballot: %w", err)
	}
	return out, nil
}

// sealedBatch is a batch as ballot documents in a random order (order[i] is
// the batch index of docs[i]), so not even the order within a batch follows
// arrival, for the collection of box's hour.
type sealedBatch struct {
	box   string
	hour  int
	docs  []any
	order []int
}

func (r *Responses) seal(ctx context.Context, batch []*pending) (sealedBatch, error) {
	now := r.now()
	box := survey.Month(now)
	hour := r.boxes.hour(ctx, box, now)
	snd, err := r.boxes.sender(ctx, box, hour)
	if err != nil {
		return sealedBatch{}, err
	}
	out := sealedBatch{box: box, hour: hour, order: mathrand.Perm(len(batch)), docs: make([]any, len(batch))}
	for i, bi := range out.order {
		p := batch[bi]
		payload, err := encodeBallot(p.def, p.answer, p.verified, p.flags)
		if err != nil {
			return sealedBatch{}, err
		}
		sealed, err := r.sealer.seal(snd, p.id, payload)
		if err != nil {
			return sealedBatch{}, err
		}
		out.docs[i] = ballotDoc{ID: p.id, Sealed: sealed}
	}
	return out, nil
}
