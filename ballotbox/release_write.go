package ballotbox

import (
	"strings"

	"github.com/feedback-service/feedback/survey"

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
	group := make([]survey.Opened, len(ballots))
	for i, o := range ballots {
		group[i] = survey.Opened{Ballot: o.id, Def: o.def, Version: o.b.Version, Verified: o.b.Verified, Answers: o.b.Answers,
			Safeguarding: o.b.Safeguarding, Uncertain: o.b.Uncertain}
	}
	derive := func(parts ...string) string { return derivedID(key, parts...) }
	return survey.WriteReleased(ctx, r.db, box, foldVersions(group, r.opts.K), r.opts.K, derive)
}

// foldVersions keeps a survey version's own breakdown only where that
// version has at least k ballots in the group: the ballots of a smaller
// version (a survey edited mid-month: the few answers after the edit belong to
// whoever was texted after it) are written as the group's largest version,
// with their answers to the questions both versions ask alike (same id, same
// fingerprint) and none to the others. So no counter, response or comment is
// ever written for fewer than k answers of one version.
func foldVersions(group []survey.Opened, k int) []survey.Opened {
	count := map[string]int{}
	defs := map[string]*survey.Definition{}
	for _, o := range group {
		count[o.Version]++
		defs[o.Version] = o.Def
	}
	largest := ""
	for v, n := range count {
		if n > count[largest] || n == count[largest] && v > largest {
			largest = v
		}
	}
	into := defs[largest]
	same := map[string]string{} // question id → fingerprint in the largest version
	for _, q := range into.Questions {
		same[q.ID] = q.Fingerprint
	}
	out := make([]survey.Opened, len(group))
	for i, o := range group {
		out[i] = o
		if count[o.Version] >= k || o.Version == largest {
			continue
		}
		asked := map[string]string{}
		for _, q := range o.Def.Questions {
			asked[q.ID] = q.Fingerprint
		}
		var kept bson.D
		for _, e := range o.Answers {
			if fp, ok := same[e.Key]; ok && fp == asked[e.Key] {
				kept = append(kept, e)
			}
		}
		out[i].Def, out[i].Version, out[i].Answers = into, largest, kept
	}
	return out
}

// carry reseals ballots of groups under K into the current month's box.
func (r *Releaser) carry(ctx context.Context, box string, key []byte, ballots []opened) error {
	if len(ballots) == 0 {
		return nil
	}
	now := r.opts.Now()
	current := survey.Month(now)
	// Into the hour of the current box as a writer would choose it, sealed
	// by that hour's sender.
	h := r.boxes.hour(ctx, current, now)
	snd, err := r.boxes.sender(ctx, current, h)
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
		sealed, err := r.opts.Sealer.seal(snd, id, payload)
		if err != nil {
			return err
		}
		docs = append(docs, ballotDoc{ID: id, Sealed: sealed})
	}
	slices.SortFunc(docs, func(a, b ballotDoc) int { return strings.Compare(a.ID, b.ID) })
	// Into the current box's hour, to be mixed and released like any ballot
	// of it, and into its guard: a release run again after a mix took that
	// hour (the _ids derive from the released box's key) adds none twice.
	hour := r.db.Collection(hourCollection(current, h))
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
