package survey

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ballotsCollection holds the sealed ballots of every service, until release.
const ballotsCollection = "ballots"

// ballotDoc is a sealed ballot as stored: an _id derived from the form's nonce
// (so a replay of the form is caught by the unique index), the month of its box,
// and ciphertext of one fixed size. Nothing else, until a mix (see mix.go)
// claims it, copies it under a random _id and leaves a tombstone in its place.
type ballotDoc struct {
	ID     string `bson:"_id"`
	Box    string `bson:"box"`
	Sealed []byte `bson:"c,omitempty"`
	// Mix is the generation of a copy made by a mix; Claim marks a fresh
	// ballot a mix is copying; Tomb is a copied ballot's empty place, kept so
	// that a replay of its form is still refused.
	Mix   int  `bson:"m,omitempty"`
	Claim int  `bson:"claim,omitempty"`
	Tomb  bool `bson:"t,omitempty"`
}

// ballot is what a sealed ballot holds.
type ballot struct {
	Service  string `bson:"s"`
	Version  string `bson:"v"`
	Verified bool   `bson:"f,omitempty"`
	Answers  bson.D `bson:"a"`
}

func encodeBallot(d *Definition, answers Answers, verified bool) ([]byte, error) {
	r := newResponse("", d, answers, "")
	b, err := bson.Marshal(ballot{Service: d.Service, Version: d.Version, Verified: verified, Answers: r.Answers})
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
