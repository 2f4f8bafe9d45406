package survey

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/feedback-service/feedback/survey/commentcheck"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RebuildOptions says what RebuildCounters does besides checking.
type RebuildOptions struct {
	// Write makes the stored counters (and comments, with Comments) match the
	// responses; without it nothing is changed.
	Write bool
	// Comments checks (and with Write, repairs) the comments as well.
	Comments bool
	// Archive holds earlier survey versions, so their answers are read with
	// the question kinds they were asked with.
	Archive []*Definition
	// Progress, if set, is told how many responses have been read so far.
	Progress func(responses int)
}

// RebuildReport says what a rebuild found.
type RebuildReport struct {
	Responses int // responses read
	Buckets   int // counter documents the responses make
	// UnknownVersions are survey versions found in responses but in neither the
	// catalogue nor the archive; their answers were read with the question
	// kinds of the service's current survey.
	UnknownVersions []string
	Differences     []CounterDifference
	// CommentsMissing and CommentsExtra count comments the responses imply but
	// are not stored, and stored comments no response accounts for.
	CommentsMissing, CommentsExtra int
	Rewritten                      bool
}

// Clean reports whether the stored counters (and comments, if checked) match.
func (r *RebuildReport) Clean() bool {
	return len(r.Differences) == 0 && r.CommentsMissing == 0 && r.CommentsExtra == 0
}

// CounterDifference is one counter whose stored value is not what the
// responses add up to.
type CounterDifference struct {
	Bucket     string `json:"bucket"`
	Field      string `json:"field"` // "n", "q.<question>" or "a.<question>.<value>"
	Stored     int64  `json:"stored"`
	Recomputed int64  `json:"recomputed"`
}

func (d CounterDifference) String() string {
	return fmt.Sprintf("%s %s: stored %d, responses give %d", d.Bucket, d.Field, d.Stored, d.Recomputed)
}

// RebuildCounters recomputes every counter from the stored responses, with the
// same code that counts them as they arrive, and reports each difference from
// the stored counters; with opts.Write it rewrites the counters to match. It
// reads the whole responses collection: an offline job, never a request's.
// Run it while no responses arrive, or it reports the ones in flight.
func RebuildCounters(ctx context.Context, db *mongo.Database, cat *Catalogue, opts RebuildOptions) (*RebuildReport, error) {
	t, err := tallyResponses(ctx, db, cat, opts)
	if err != nil {
		return nil, err
	}
	report := &RebuildReport{Responses: t.responses, Buckets: len(t.inc)}
	for k := range t.unknown {
		report.UnknownVersions = append(report.UnknownVersions, k)
	}
	sort.Strings(report.UnknownVersions)
	stored, err := storedCounters(ctx, db)
	if err != nil {
		return nil, err
	}
	report.Differences = compareCounters(stored, t.recomputed())

	var extra []strayComment
	var missing []Comment
	if opts.Comments {
		extra, missing, err = compareComments(ctx, db, t.comments)
		if err != nil {
			return nil, err
		}
		report.CommentsExtra, report.CommentsMissing = len(extra), len(missing)
	}
	if opts.Write && !report.Clean() {
		if err := rewriteCounters(ctx, db, report.Differences, t.inc, t.bucketDefs); err != nil {
			return nil, err
		}
		if err := flagRebuilt(missing); err != nil {
			return nil, err
		}
		if err := repairComments(ctx, db, extra, missing); err != nil {
			return nil, err
		}
		report.Rewritten = true
	}
	return report, nil
}

// tally is what the stored responses add up to: counter increments per
// bucket, the definition each bucket was counted with, the comments they
// hold, and the versions no known definition describes.
type tally struct {
	responses  int
	inc        increments
	bucketDefs map[Bucket]*Definition
	comments   map[commentKey]int
	unknown    map[string]bool
}

// tallyResponses reads every stored response once, in batches, and adds it up.
func tallyResponses(ctx context.Context, db *mongo.Database, cat *Catalogue, opts RebuildOptions) (*tally, error) {
	defs := map[string]*Definition{}
	for _, d := range append(cat.All(), opts.Archive...) {
		defs[d.Service+"|"+d.Version] = d
	}
	t := &tally{inc: increments{}, bucketDefs: map[Bucket]*Definition{}, comments: map[commentKey]int{}, unknown: map[string]bool{}}
	cur, err := db.Collection(ResponsesCollection).Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return nil, fmt.Errorf("read responses: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var resp Response
		if err := cur.Decode(&resp); err != nil {
			return nil, fmt.Errorf("decode response: %w", err)
		}
		def := defs[resp.Service+"|"+resp.Version]
		if def == nil {
			current, ok := cat.Get(resp.Service)
			if !ok {
				return nil, fmt.Errorf("response %s: no survey for service %q", resp.ID, resp.Service)
			}
			t.unknown[resp.Service+"|"+resp.Version] = true
			def = current
		}
		t.add(def, resp, opts.Comments)
		if opts.Progress != nil && t.responses%10000 == 0 {
			opts.Progress(t.responses)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("read responses: %w", err)
	}
	return t, nil
}

func (t *tally) add(def *Definition, resp Response, comments bool) {
	answers := storedAnswers(def, resp.Answers)
	b := Bucket{Service: resp.Service, Version: resp.Version, Month: resp.Month, Verified: resp.Verified}
	t.inc.add(b, def, answers)
	t.bucketDefs[b] = def
	if comments {
		for _, cm := range commentDocs(def, answers, resp.Month) {
			t.comments[commentKey{resp.Service, resp.Version, cm.Month, cm.Question, cm.Text, cm.FFT, resp.Verified}]++
		}
	}
	t.responses++
}

// recomputed is the tally as counter documents' fields, by bucket id.
func (t *tally) recomputed() map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for b, m := range t.inc {
		flat := map[string]int64{}
		for k, v := range m {
			flat[k] = int64(v)
		}
		out[b.ID()] = flat
	}
	return out
}

// storedAnswers turns a stored response's answers back into Answers.
func storedAnswers(def *Definition, doc bson.D) Answers {
	out := Answers{}
	for _, e := range doc {
		q, ok := def.Question(e.Key)
		if !ok {
			continue
		}
		var a Answer
		switch v := e.Value.(type) {
		case string:
			if q.Kind == Text {
				a.Text = v
			} else {
				a.Choice = v
			}
		case int32:
			a.Number = int(v)
		case int64:
			a.Number = int(v)
		case bson.A:
			for _, c := range v {
				if s, ok := c.(string); ok {
					a.Choices = append(a.Choices, s)
				}
			}
		default:
			continue
		}
		out[q.ID] = a
	}
	return out
}

// storedCounters reads every counter document, flattened to "n", "q.x", "a.x.v"
// and added up by bucket (a bucket may have several documents).
func storedCounters(ctx context.Context, db *mongo.Database) (map[string]map[string]int64, error) {
	cur, err := db.Collection(countersCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	var docs []CounterDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	out := map[string]map[string]int64{}
	for _, d := range docs {
		id := Bucket{Service: d.Service, Version: d.Version, Month: d.Month, Verified: d.Verified}.ID()
		flat := out[id]
		if flat == nil {
			flat = map[string]int64{}
			out[id] = flat
		}
		flat["n"] += d.N
		for q, n := range d.Q {
			if n != 0 {
				flat["q."+q] += n
			}
		}
		for q, vs := range d.A {
			for v, n := range vs {
				if n != 0 {
					flat["a."+q+"."+v] += n
				}
			}
		}
	}
	return out, nil
}

func compareCounters(stored, recomputed map[string]map[string]int64) []CounterDifference {
	var diffs []CounterDifference
	for id := range keysOfEither(stored, recomputed) {
		s, r := stored[id], recomputed[id]
		for f := range keysOfEither(s, r) {
			if s[f] != r[f] {
				diffs = append(diffs, CounterDifference{Bucket: id, Field: f, Stored: s[f], Recomputed: r[f]})
			}
		}
	}
	sort.Slice(diffs, func(i, j int) bool {
		if diffs[i].Bucket != diffs[j].Bucket {
			return diffs[i].Bucket < diffs[j].Bucket
		}
		return diffs[i].Field < diffs[j].Field
	})
	return diffs
}

// keysOfEither is the set of keys in a or b.
func keysOfEither[V any](a, b map[string]V) map[string]bool {
	keys := make(map[string]bool, len(a)+len(b))
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// rewriteCounters replaces the documents of every bucket with a difference by
// one document recomputed from the responses.
func rewriteCounters(ctx context.Context, db *mongo.Database, diffs []CounterDifference, inc increments, defs map[Bucket]*Definition) error {
	coll := db.Collection(countersCollection)
	wrong := map[string]bool{}
	for _, d := range diffs {
		wrong[d.Bucket] = true
	}
	var models []mongo.WriteModel
	for id := range wrong {
		service, rest, _ := strings.Cut(id, "|")
		version, rest, _ := strings.Cut(rest, "|")
		month, kind, _ := strings.Cut(rest, "|")
		verified := kind == "verified"
		filter := bson.D{{Key: "service", Value: service}, {Key: "version", Value: version}, {Key: "month", Value: month}}
		if verified {
			filter = append(filter, bson.E{Key: "verified", Value: true})
		} else {
			filter = append(filter, bson.E{Key: "verified", Value: bson.D{{Key: "$ne", Value: true}}})
		}
		models = append(models, mongo.NewDeleteManyModel().SetFilter(filter))
		b := Bucket{Service: service, Version: version, Month: month, Verified: verified}
		if def := defs[b]; def != nil && inc[b] != nil {
			models = append(models, mongo.NewInsertOneModel().SetDocument(inc.document(b, def)))
		}
	}
	if len(models) == 0 {
		return nil
	}
	if _, err := coll.BulkWrite(ctx, models); err != nil {
		return fmt.Errorf("rewrite counters: %w", err)
	}
	return nil
}

// commentKey is what a comment says, the FFT rating it was given with included,
// so a rebuilt comment is the one the release wrote.
type commentKey struct {
	service, version, month, question, text, fft string
	verified                                     bool
}

// strayComment is a stored comment no response accounts for, or one stored in
// the wrong month's collection.
type strayComment struct{ collection, id, service, month string }

// compareComments returns the stored comments no response accounts for, and
// the comments the responses imply that are not stored. It reads every
// comments_<service>_<month> collection.
func compareComments(ctx context.Context, db *mongo.Database, want map[commentKey]int) (extra []strayComment, missing []Comment, err error) {
	names, err := commentCollections(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	left := map[commentKey]int{}
	var redacted []storedComment
	for k, n := range want {
		left[k] = n
	}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			return nil, nil, fmt.Errorf("read comments: %w", err)
		}
		var stored []Comment
		if err := cur.All(ctx, &stored); err != nil {
			return nil, nil, fmt.Errorf("read comments: %w", err)
		}
		for _, c := range stored {
			k := commentKey{c.Service, c.Version, c.Month, c.Question, c.Text, c.FFT, c.Verified}
			switch {
			case left[k] > 0 && c.collection() == name:
				left[k]--
			case c.Moderated == Redacted && c.collection() == name:
				redacted = append(redacted, storedComment{name, c})
			default:
				extra = append(extra, strayComment{collection: name, id: c.ID, service: c.Service, month: c.Month})
			}
		}
	}
	// A redacted comment is its response's comment with words removed: it
	// accounts for that comment, and is kept as the moderator left it.
	for _, r := range redacted {
		if k, ok := redactedFrom(left, r.c); ok {
			left[k]--
			continue
		}
		extra = append(extra, strayComment{collection: r.collection, id: r.c.ID, service: r.c.Service, month: r.c.Month})
	}
	for k, n := range left {
		for range n {
			missing = append(missing, Comment{ID: NewID(), Service: k.service, Version: k.version, Month: k.month, Question: k.question, Text: k.text, FFT: k.fft, Verified: k.verified})
		}
	}
	return extra, missing, nil
}

type storedComment struct {
	collection string
	c          Comment
}

// redactedFrom finds the comment a response implies that c is a redaction of.
func redactedFrom(left map[commentKey]int, c Comment) (commentKey, bool) {
	for k, n := range left {
		if n > 0 && k.service == c.Service && k.version == c.Version && k.month == c.Month && k.question == c.Question &&
			k.fft == c.FFT && k.verified == c.Verified && IsRedactionOf(k.text, c.Text) {
			return k, true
		}
	}
	return commentKey{}, false
}

// flagRebuilt decides what a comment stored again from its response may be
// shown as. A response keeps the generalised text but not what the check and
// a moderator said of it, so every rebuilt comment goes to a moderator before
// a quality lead reads it (a redaction the moderator made is not in the
// response either), and the words of risk are looked for again so that a cry
// for help is still read first.
func flagRebuilt(missing []Comment) error {
	if len(missing) == 0 {
		return nil
	}
	check, err := commentcheck.New(commentcheck.Options{})
	if err != nil {
		return fmt.Errorf("rebuild comments: %w", err)
	}
	for i := range missing {
		missing[i].Uncertain = true
		missing[i].Moderated = ""
		// every language's words of risk are tried, whatever lang says
		missing[i].Safeguarding = check.Check("en", missing[i].Text).Safeguarding
	}
	return nil
}

// repairComments deletes the stray comments (each from the collection it was
// found in) and stores the missing ones.
func repairComments(ctx context.Context, db *mongo.Database, extra []strayComment, missing []Comment) error {
	byColl := map[string][]string{}
	for _, c := range extra {
		byColl[c.collection] = append(byColl[c.collection], c.id)
	}
	for name, ids := range byColl {
		if _, err := db.Collection(name).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
			return fmt.Errorf("delete stray comments: %w", err)
		}
	}
	if err := insertComments(ctx, db, missing); err != nil {
		return fmt.Errorf("insert missing comments: %w", err)
	}
	// every instance reads those months' comments again, and their summaries are counted again
	months := map[[2]string]bool{}
	for _, c := range extra {
		months[[2]string{c.service, c.month}] = true
	}
	for _, c := range missing {
		months[[2]string{c.Service, c.Month}] = true
	}
	for m := range months {
		if err := countEdit(ctx, db, m[0], m[1]); err != nil {
			return err
		}
	}
	return nil
}
