package survey

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Response is a stored survey response. Its fields are an allow-list: service
// type, survey version, the answers and the calendar month it arrived. Nothing
// else — no day, time, address, browser detail or token — is ever stored with
// it, and its _id is random, never a time-stamped ObjectId.
type Response struct {
	ID      string `bson:"_id"`
	Service string `bson:"service"`
	Version string `bson:"version"`
	Month   string `bson:"month"` // UTC, "2026-11"
	// Verified responses came through a single-use invitation; open ones
	// through the public link. They are counted apart.
	Verified bool   `bson:"verified"`
	Answers  bson.D `bson:"answers"`
}

// ResponseFields is the allow-list of a stored response's fields, pinned by a test.
var ResponseFields = []string{"_id", "service", "version", "month", "verified", "answers"}

// ResponsesCollection holds released responses: written only by a release,
// read only by exports, backups and the rebuild, never on a request's path.
const ResponsesCollection = "responses"

// NewID is a random 128-bit _id in hex, so no order of documents follows
// their arrival.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// MonthLayout formats the only time a response carries.
const MonthLayout = "2006-01"

// Month returns the UTC calendar month of t, e.g. "2026-11".
func Month(t time.Time) string { return t.UTC().Format(MonthLayout) }

// newResponse builds the stored form of validated answers, in question order.
func newResponse(id string, d *Definition, answers Answers, month string) Response {
	doc := bson.D{}
	for _, q := range d.Questions {
		a, ok := answers[q.ID]
		if !ok {
			continue
		}
		var v any
		switch q.Kind {
		case Multiple:
			v = a.Choices
		case Likelihood:
			v = int32(a.Number)
		case Text:
			v = a.Text
		default:
			v = a.Choice
		}
		doc = append(doc, bson.E{Key: q.ID, Value: v})
	}
	return Response{ID: id, Service: d.Service, Version: d.Version, Month: month, Answers: doc}
}

// countedValues returns the counter keys an answer adds one to.
func countedValues(q *Question, a Answer) []string {
	switch q.Kind {
	case Multiple:
		return a.Choices
	case Likelihood:
		return []string{strconv.Itoa(a.Number)}
	case Text:
		return nil // free text is counted as answered, and kept as a comment
	default:
		return []string{a.Choice}
	}
}
