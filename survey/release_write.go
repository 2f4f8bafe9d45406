package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// writeResponses writes released ballots group by group, so that every write
// holding answers holds at least K of one (service, month) group: responses and
// whole counter documents, then comments, each in the order of their
// random-looking _ids.
func (r *Releaser) writeResponses(ctx context.Context, box string, key []byte, ballots []opened) error {
	groups := map[groupKey][]opened{}
	for _, o := range ballots {
		g := groupKey{o.b.Service, o.b.Verified}
		groups[g] = append(groups[g], o)
	}
	for _, g := range groups {
		if err := r.writeGroup(ctx, box, key, g); err != nil {
			return err
		}
		r.progress(box, "written", len(g))
	}
	return nil
}

func (r *Releaser) progress(box, step string, n int) {
	if r.opts.Progress != nil {
		r.opts.Progress(box, step, n)
	}
}

func (r *Releaser) writeGroup(ctx context.Context, box string, key []byte, ballots []opened) error {
	var responses []Response
	var comments []Comment
	inc := increments{}
	defs := map[Bucket]*Definition{}
	for _, o := range ballots {
		responses = append(responses, Response{
			ID: derivedID(key, "response", o.id), Service: o.b.Service, Version: o.b.Version,
			Month: box, Verified: o.b.Verified, Answers: o.b.Answers,
		})
		answers := storedAnswers(o.def, o.b.Answers)
		b := Bucket{Service: o.b.Service, Version: o.b.Version, Month: box, Verified: o.b.Verified}
		inc.add(b, o.def, answers)
		defs[b] = o.def
		for _, c := range commentDocs(o.def, answers, box) {
			c.ID = derivedID(key, "comment", o.id, c.Question)
			c.Version, c.Verified = o.b.Version, o.b.Verified
			comments = append(comments, c)
		}
	}
	slices.SortFunc(responses, func(a, b Response) int { return compareStrings(a.ID, b.ID) })
	docs := make([]any, len(responses))
	for i := range responses {
		docs[i] = responses[i]
	}
	if err := insertIgnoringDuplicates(ctx, r.db.Collection(responsesCollection), docs, r.opts.K); err != nil {
		return fmt.Errorf("write released responses of %s: %w", box, err)
	}
	counters := make([]any, 0, len(inc))
	for b := range inc {
		doc := inc.document(b, defs[b])
		// One document per bucket and release (see the record's _id above).
		doc[0].Value = b.ID() + "|" + derivedID(key, "counters", b.ID())[:12]
		counters = append(counters, doc)
	}
	if err := insertIgnoringDuplicates(ctx, r.db.Collection(countersCollection), counters, 1); err != nil {
		return fmt.Errorf("write counters of %s: %w", box, err)
	}
	slices.SortFunc(comments, func(a, b Comment) int { return compareStrings(a.ID, b.ID) })
	if err := insertComments(ctx, r.db, comments); err != nil {
		return fmt.Errorf("write comments of %s: %w", box, err)
	}
	return nil
}

// carry reseals ballots of groups under K into the current month's box.
func (r *Releaser) carry(ctx context.Context, box string, key []byte, ballots []opened) error {
	if len(ballots) == 0 {
		return nil
	}
	now := r.opts.Now()
	current := Month(now)
	newKey, err := r.boxes.key(ctx, current, false)
	if err != nil {
		return err
	}
	docs := make([]ballotDoc, 0, len(ballots))
	for _, o := range ballots {
		payload, err := bson.Marshal(o.b)
		if err != nil {
			return fmt.Errorf("carry a ballot of %s: %w", box, err)
		}
		id := derivedID(key, "carried", o.id)
		sealed, err := r.opts.Sealer.seal(newKey, current, id, payload)
		if err != nil {
			return err
		}
		docs = append(docs, ballotDoc{ID: id, Sealed: sealed})
	}
	slices.SortFunc(docs, func(a, b ballotDoc) int { return compareStrings(a.ID, b.ID) })
	// Into the current box's hour, to be mixed and released like any ballot
	// of it, and into its guard: a release run again after a mix took that
	// hour (the _ids derive from the released box's key) adds none twice.
	hour := r.db.Collection(hourCollection(current, r.boxes.hour(ctx, current, now)))
	out := make([]any, len(docs))
	ids := make([]string, len(docs))
	for i := range docs {
		out[i], ids[i] = docs[i], docs[i].ID
	}
	fresh := make([]bool, len(docs))
	for i := range fresh {
		fresh[i] = true
	}
	_, err = hour.InsertMany(ctx, out, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if err != nil && (!errors.As(err, &bwe) || bwe.WriteConcernError != nil) {
		return fmt.Errorf("carry ballots of %s into %s: %w", box, current, err)
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return fmt.Errorf("carry ballots of %s into %s: %w", box, current, err)
		}
		fresh[we.Index] = false
	}
	if _, err := enterGuard(ctx, r.db.Collection(guardCollection(current)), hour, ids, fresh); err != nil {
		return fmt.Errorf("carry ballots of %s into %s: %w", box, current, err)
	}
	return nil
}
