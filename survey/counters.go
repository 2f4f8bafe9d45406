package survey

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Counters are the aggregates dashboards read: small documents per bucket
// (service, survey version, month, verified or open), written whole by the
// release that opens the month's ballots, with every question and option in
// definition order (zeros included), so neither the order of fields nor any
// later change says anything about the order answers arrived in. A bucket may
// have more than one document (one written before sealed ballots existed, one
// by release); dashboards add them up.
//
//	{_id: "counselling|3f2a9c1b07|2026-11|open", service, version, month, verified: false,
//	 n: 312,                                  // responses
//	 q: {fft: 312, why: 80, recommend: 290, …},  // responses that answered each question
//	 a: {fft: {very_good: 120, …}, recommend: {"0": 3, …, "10": 40}, …}}
const countersCollection = "counters"

// Bucket is the unit counters are kept in.
type Bucket struct {
	Service, Version, Month string
	Verified                bool
}

// ID is the _id of the bucket's counter document written by a release.
func (b Bucket) ID() string {
	kind := "open"
	if b.Verified {
		kind = "verified"
	}
	return strings.Join([]string{b.Service, b.Version, b.Month, kind}, "|")
}

// increments collects the $inc of one batch, per bucket.
type increments map[Bucket]map[string]int32

func (inc increments) add(b Bucket, d *Definition, answers Answers) {
	m := inc[b]
	if m == nil {
		m = map[string]int32{}
		inc[b] = m
	}
	m["n"]++
	for i := range d.Questions {
		q := &d.Questions[i]
		a, ok := answers[q.ID]
		if !ok {
			continue
		}
		m["q."+q.ID]++
		for _, v := range countedValues(q, a) {
			m["a."+q.ID+"."+v]++
		}
	}
}

// mergeInto adds inc's counts to dst.
func (inc increments) mergeInto(dst increments) {
	for b, m := range inc {
		d := dst[b]
		if d == nil {
			d = map[string]int32{}
			dst[b] = d
		}
		for k, v := range m {
			d[k] += v
		}
	}
}

// document returns the whole counter document of bucket b, with every field
// in d's order and every option present.
func (inc increments) document(b Bucket, d *Definition) bson.D {
	m := inc[b]
	q := bson.D{}
	a := bson.D{}
	for i := range d.Questions {
		qu := &d.Questions[i]
		q = append(q, bson.E{Key: qu.ID, Value: int64(m["q."+qu.ID])})
		values := counterValues(qu)
		if values == nil {
			continue
		}
		opts := make(bson.D, len(values))
		for j, v := range values {
			opts[j] = bson.E{Key: v, Value: int64(m["a."+qu.ID+"."+v])}
		}
		a = append(a, bson.E{Key: qu.ID, Value: opts})
	}
	return bson.D{
		{Key: "_id", Value: b.ID()}, {Key: "service", Value: b.Service}, {Key: "version", Value: b.Version},
		{Key: "month", Value: b.Month}, {Key: "verified", Value: b.Verified},
		{Key: "n", Value: int64(m["n"])}, {Key: "q", Value: q}, {Key: "a", Value: a},
	}
}

// counterValues lists the counter keys of a question's answers, in order; nil
// for free text, which is counted as answered only.
func counterValues(q *Question) []string {
	switch q.Kind {
	case Text:
		return nil
	case Likelihood:
		out := make([]string, 11)
		for i := range out {
			out[i] = strconv.Itoa(i)
		}
		return out
	default:
		out := make([]string, len(q.Options))
		for i, o := range q.Options {
			out[i] = o.Value
		}
		return out
	}
}

// CounterDoc is a bucket's counter document as stored.
type CounterDoc struct {
	ID       string                      `bson:"_id"`
	Service  string                      `bson:"service"`
	Version  string                      `bson:"version"`
	Month    string                      `bson:"month"`
	Verified bool                        `bson:"verified"`
	N        int64                       `bson:"n"`
	Q        map[string]int64            `bson:"q"`
	A        map[string]map[string]int64 `bson:"a"`
}

// Add adds o's counts to c (two documents of one bucket).
func (c *CounterDoc) Add(o *CounterDoc) {
	c.N += o.N
	if c.Q == nil {
		c.Q = map[string]int64{}
	}
	for k, v := range o.Q {
		c.Q[k] += v
	}
	if c.A == nil {
		c.A = map[string]map[string]int64{}
	}
	for q, m := range o.A {
		if c.A[q] == nil {
			c.A[q] = map[string]int64{}
		}
		for k, v := range m {
			c.A[q][k] += v
		}
	}
}

// Stored is a document as read with the bytes it was stored as: the
// dashboards hash the bytes to know whether any figure changed.
type Stored[T any] struct {
	Doc T
	Raw bson.Raw
}

// ReadCounters reads the counter documents of the months keep accepts, in
// _id order. The collection stays small (a few documents per service, version
// and month), so it is read whole: the embedded store would scan it for any
// filter anyway.
func ReadCounters(ctx context.Context, db *mongo.Database, keep func(month string) bool) ([]Stored[*CounterDoc], error) {
	raws, err := readWhole(ctx, db.Collection(countersCollection))
	if err != nil {
		return nil, fmt.Errorf("read survey counters: %w", err)
	}
	var out []Stored[*CounterDoc]
	for _, raw := range raws {
		var c CounterDoc
		if err := bson.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("decode survey counters %q: %w", idOf(raw), err)
		}
		if keep(c.Month) {
			out = append(out, Stored[*CounterDoc]{Doc: &c, Raw: raw})
		}
	}
	return out, nil
}

// readWhole reads a small collection whole, ordered by _id in memory (the
// store would sort by scanning anyway), so whoever hashes it gets the same
// hash on every instance.
func readWhole(ctx context.Context, coll *mongo.Collection) ([]bson.Raw, error) {
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var out []bson.Raw
	for cur.Next(ctx) {
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return idOf(out[i]) < idOf(out[j]) })
	return out, nil
}

// idOf is a document's string _id, or "".
func idOf(raw bson.Raw) string {
	id, _ := raw.Lookup("_id").StringValueOK()
	return id
}
