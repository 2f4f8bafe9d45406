package survey

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/store"
)

// Opened is one ballot opened at its month's release, ready to be written as
// released data.
type Opened struct {
	// Ballot is the ballot's _id in its box: the seed of every _id written
	// for it, through the release's derive.
	Ballot   string
	Def      *Definition
	Version  string // the ballot's, which Def may not be if that version is lost
	Verified bool
	Answers  bson.D // in stored form (StoredForm)
	// What the check at submission found of its comments (see Comment).
	Safeguarding, Uncertain bool
}

// StoredForm is the stored form of validated answers to d, in question order:
// what a response's answers field and a sealed ballot hold.
func StoredForm(d *Definition, answers Answers) bson.D {
	return newResponse("", d, answers, "").Answers
}

// WriteReleased writes one released group of month: its responses, one whole
// counter document per bucket, and its comments, each in the order of _ids
// that derive names (from the month's box key: the same on every run, so a
// release run again writes nothing twice, and unrelated to arrival for anyone
// without the key). Every insert of responses holds at least least of them.
func WriteReleased(ctx context.Context, db *mongo.Database, month string, group []Opened, least int, derive func(parts ...string) string) error {
	responses := make([]Response, 0, len(group))
	var comments []Comment
	inc := increments{}
	defs := map[Bucket]*Definition{}
	for _, o := range group {
		responses = append(responses, Response{
			ID: derive("response", o.Ballot), Service: o.Def.Service, Version: o.Version,
			Month: month, Verified: o.Verified, Answers: o.Answers,
		})
		answers := storedAnswers(o.Def, o.Answers)
		b := Bucket{Service: o.Def.Service, Version: o.Version, Month: month, Verified: o.Verified}
		inc.add(b, o.Def, answers)
		defs[b] = o.Def
		for _, c := range commentDocs(o.Def, answers, month) {
			c.ID = derive("comment", o.Ballot, c.Question)
			c.Version, c.Verified = o.Version, o.Verified
			c.Safeguarding, c.Uncertain = o.Safeguarding, o.Uncertain
			comments = append(comments, c)
		}
	}
	slices.SortFunc(responses, func(a, b Response) int { return strings.Compare(a.ID, b.ID) })
	docs := make([]any, len(responses))
	for i := range responses {
		docs[i] = responses[i]
	}
	if err := store.InsertIgnoringDuplicates(ctx, db.Collection(ResponsesCollection), docs, least); err != nil {
		return fmt.Errorf("write released responses of %s: %w", month, err)
	}
	counters := make([]any, 0, len(inc))
	for b := range inc {
		doc := inc.document(b, defs[b])
		// One document per bucket and release.
		doc[0].Value = b.ID() + "|" + derive("counters", b.ID())[:12]
		counters = append(counters, doc)
	}
	if err := store.InsertIgnoringDuplicates(ctx, db.Collection(countersCollection), counters, 1); err != nil {
		return fmt.Errorf("write counters of %s: %w", month, err)
	}
	slices.SortFunc(comments, func(a, b Comment) int { return strings.Compare(a.ID, b.ID) })
	if err := insertComments(ctx, db, comments); err != nil {
		return fmt.Errorf("write comments of %s: %w", month, err)
	}
	return nil
}
