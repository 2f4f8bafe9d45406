package survey

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Counters are the aggregates dashboards read: one small document per bucket
// (service, survey version, month), kept up to date with one $inc per bucket as
// responses are stored, so no figure ever needs a scan of the responses.
//
//	{_id: "counselling|3f2a9c1b07|2026-11", service, version, month,
//	 n: 312,                                  // responses
//	 q: {fft: 312, recommend: 290, …},        // responses that answered each question
//	 a: {fft: {very_good: 120, …}, recommend: {"9": 40, …}, contact: {phone: 200, …}}}
const countersCollection = "counters"

// Bucket is the unit counters are kept in.
type Bucket struct {
	Service, Version, Month string
}

// ID is the bucket's counter document _id.
func (b Bucket) ID() string { return strings.Join([]string{b.Service, b.Version, b.Month}, "|") }

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

// models returns one upsert per bucket.
func (inc increments) models() []mongo.WriteModel {
	models := make([]mongo.WriteModel, 0, len(inc))
	for b, m := range inc {
		fields := make(bson.D, 0, len(m))
		for k, v := range m {
			fields = append(fields, bson.E{Key: k, Value: v})
		}
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: b.ID()}}).
			SetUpdate(bson.D{
				{Key: "$inc", Value: fields},
				{Key: "$setOnInsert", Value: bson.D{
					{Key: "service", Value: b.Service}, {Key: "version", Value: b.Version}, {Key: "month", Value: b.Month},
				}},
			}).
			SetUpsert(true))
	}
	return models
}

// CounterDoc is a bucket's counter document as stored.
type CounterDoc struct {
	ID      string                      `bson:"_id"`
	Service string                      `bson:"service"`
	Version string                      `bson:"version"`
	Month   string                      `bson:"month"`
	N       int64                       `bson:"n"`
	Q       map[string]int64            `bson:"q"`
	A       map[string]map[string]int64 `bson:"a"`
}
