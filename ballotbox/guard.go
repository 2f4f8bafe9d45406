package ballotbox

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// guard enters the _ids of the batch's ballots in their box's guard, and takes
// out again a ballot stored just now whose _id was there: a replay of a form
// stored in an earlier hour, which is then answered as already received. A
// guard that cannot be written is logged and left to the next mix, which
// enters every ballot it mixes; the ballots stay stored and acknowledged.
func (r *Responses) guard(ctx context.Context, hour *mongo.Collection, box string, batch []*pending, results []error) {
	var ids []string
	var fresh []bool
	var which []int        // the batch index of ids[k]
	at := map[string]int{} // a form sent twice in one batch is entered once
	for i, p := range batch {
		if results[i] != nil && !errors.Is(results[i], errDuplicate) {
			continue
		}
		if k, ok := at[p.id]; ok {
			if results[i] == nil {
				fresh[k], which[k] = true, i
			}
			continue
		}
		at[p.id] = len(ids)
		ids, fresh, which = append(ids, p.id), append(fresh, results[i] == nil), append(which, i)
	}
	replayed, err := enterGuard(ctx, r.db.Collection(guardCollection(box), r.wc), hour, ids, fresh)
	if err != nil {
		r.log.Error("guard survey ballots", "err", err, "batch", len(batch))
	}
	r.guardLastMonth(ctx, hour, box, batch, ids, fresh, which, replayed)
	for k, i := range which {
		if replayed[k] {
			results[i] = errDuplicate
		}
	}
}

// guardLastMonth enters in last month's guard too the forms issued last month
// (a nonce is valid the day after it was issued, and last month's box waits
// for its release until well after that), so a form sent on a month's last
// evening and again next morning is caught as a replay.
func (r *Responses) guardLastMonth(ctx context.Context, hour *mongo.Collection, box string, batch []*pending, ids []string, fresh []bool, which []int, replayed []bool) {
	byMonth := map[string][]int{} // month → indexes into ids
	for k, i := range which {
		if m := batch[i].issued; m != "" && m != box && !replayed[k] {
			byMonth[m] = append(byMonth[m], k)
		}
	}
	for month, ks := range byMonth {
		if _, err := r.boxes.read(ctx, month); err != nil {
			continue // released already, or never made: nothing there to meet
		}
		sub, subFresh := make([]string, len(ks)), make([]bool, len(ks))
		for j, k := range ks {
			sub[j], subFresh[j] = ids[k], fresh[k]
		}
		again, err := enterGuard(ctx, r.db.Collection(guardCollection(month), r.wc), hour, sub, subFresh)
		if err != nil {
			r.log.Error("guard survey ballots in last month's box", "err", err, "batch", len(batch))
		}
		for j, k := range ks {
			replayed[k] = replayed[k] || again[j]
		}
	}
}

// enterGuard enters ids in a box's guard. An id stored in hour just now
// (fresh) that the guard already held is a replay of a ballot stored in an
// earlier hour: it is deleted from hour again, and replayed says so. On an
// error the guard may be incomplete (the next mix completes it); a replay
// whose deletion failed stays, and is counted beside the first.
func enterGuard(ctx context.Context, guard, hour *mongo.Collection, ids []string, fresh []bool) (replayed []bool, err error) {
	replayed = make([]bool, len(ids))
	if len(ids) == 0 {
		return replayed, nil
	}
	docs := make([]any, len(ids))
	for i, id := range ids {
		docs[i] = bson.D{{Key: "_id", Value: id}}
	}
	_, err = guard.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if err == nil {
		return replayed, nil
	}
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return replayed, err
	}
	var replays []string
	var which []int
	for _, we := range bwe.WriteErrors {
		if we.Code == 11000 && we.Index >= 0 && we.Index < len(ids) && fresh[we.Index] {
			replays, which = append(replays, ids[we.Index]), append(which, we.Index)
		}
	}
	if len(replays) == 0 {
		return replayed, nil
	}
	if _, err := hour.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: replays}}}}); err != nil {
		return replayed, fmt.Errorf("take out %d replayed ballots: %w", len(replays), err)
	}
	for _, i := range which {
		replayed[i] = true
	}
	return replayed, nil
}
