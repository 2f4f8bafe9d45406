package survey

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
)

// Comment is a free-text answer kept for dashboards, with its month only. Its
// _id is random, so no order of comments follows their arrival.
type Comment struct {
	ID       string `bson:"_id"`
	Service  string `bson:"service"`
	Version  string `bson:"version"`
	Month    string `bson:"month"`
	Question string `bson:"question"`
	Text     string `bson:"text"`
	// FFT is the Friends and Family Test answer given in the same response
	// (an option value, or empty), so a comment is read with the rating it
	// explains. Written at release, for buckets of at least K only.
	FFT string `bson:"fft,omitempty"`
	// Verified comments came through an invitation (see Response.Verified).
	Verified bool `bson:"verified,omitempty"`
	// Safeguarding: the comment's response spoke of suicide, self-harm, harm
	// to others or a risk to patients; such comments are read first.
	Safeguarding bool `bson:"safeguarding,omitempty"`
	// Uncertain: the check at submission was unsure the comment names nobody;
	// a moderator reads it before quality leads do.
	Uncertain bool `bson:"uncertain,omitempty"`
	// Moderated is a moderator's decision on an uncertain comment (see
	// moderation.go); until there is one, no quality lead reads it.
	Moderated Moderation `bson:"moderated,omitempty"`
}

// Comments live in one small collection per service and month, e.g.
// comments_peer_support_2026_11: the embedded store scans a whole collection
// for any filtered read, so a month's comments are read whole (and a month
// nobody may see is never read at all), and the cost never grows with the
// months before it.
const commentsPrefix = "comments_"

// CommentsCollection names the collection holding service's comments of month
// (YYYY-MM). Other packages read comments with ReadComments; tests use the
// name to look at what is stored.
func CommentsCollection(service, month string) string {
	return commentsPrefix + strings.ReplaceAll(service, "-", "_") + "_" + strings.ReplaceAll(month, "-", "_")
}

func (c Comment) collection() string { return CommentsCollection(c.Service, c.Month) }

// ReadComments reads service's comments of month (YYYY-MM), whole: one small
// collection. A comment filed under another service or month is left out;
// `feedback counters rebuild --comments` puts it back.
func ReadComments(ctx context.Context, db *mongo.Database, service, month string) ([]Comment, error) {
	cur, err := db.Collection(CommentsCollection(service, month)).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read survey comments: %w", err)
	}
	var docs []Comment
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read survey comments: %w", err)
	}
	return slices.DeleteFunc(docs, func(c Comment) bool { return c.Service != service || c.Month != month }), nil
}

func commentDocs(d *Definition, answers Answers, month string) []Comment {
	var out []Comment
	for _, q := range d.Questions {
		if q.Kind != Text {
			continue
		}
		if a, ok := answers[q.ID]; ok && a.Text != "" {
			out = append(out, Comment{ID: NewID(), Service: d.Service, Version: d.Version, Month: month, Question: q.ID, Text: a.Text, FFT: answers[FFTQuestionID].Choice})
		}
	}
	return out
}

// insertComments stores comments, one insertMany per collection. A duplicate
// _id (a comment stored before) is not an error.
func insertComments(ctx context.Context, db *mongo.Database, comments []Comment) error {
	byColl := map[string][]any{}
	for _, c := range comments {
		byColl[c.collection()] = append(byColl[c.collection()], c)
	}
	var firstErr error
	for name, docs := range byColl {
		_, err := db.Collection(name).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err != nil && !store.OnlyDuplicates(err) && firstErr == nil {
			firstErr = fmt.Errorf("store comments in %s: %w", name, err)
		}
	}
	return firstErr
}

// commentCollections lists the survey database's comment collections.
func commentCollections(ctx context.Context, db *mongo.Database) ([]string, error) {
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list comment collections: %w", err)
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, commentsPrefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// commentBatch is how many comments one round trip to the store brings.
const commentBatch = 500

// EachComment calls fn with each of service's comments of month (YYYY-MM),
// read as a stream from its one small collection and never held together, in
// stored order; it stops at fn's first error. A comment filed under another
// service or month is left out, as ReadComments does.
func EachComment(ctx context.Context, db *mongo.Database, service, month string, fn func(Comment) error) error {
	// Small batches: by default each getMore brings up to 16 MB, built
	// whole by the embedded store and again by the driver (a month's
	// comments read whole grew the server by about 80 MB).
	cur, err := db.Collection(CommentsCollection(service, month)).Find(ctx, bson.D{}, options.Find().SetBatchSize(commentBatch))
	if err != nil {
		return fmt.Errorf("read survey comments: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var c Comment
		if err := cur.Decode(&c); err != nil {
			return fmt.Errorf("read survey comments: %w", err)
		}
		if c.Service != service || c.Month != month {
			continue
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("read survey comments: %w", err)
	}
	return nil
}
