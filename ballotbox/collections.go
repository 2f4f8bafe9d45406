package ballotbox

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/survey"
)

// A box's ballots live in collections of their own, so that nothing ever
// updates or deletes a ballot one by one (the embedded store finds each
// document of an updateMany by a scan of its collection, which made a mix
// quadratic) and a release drops whole collections:
//
//	ballots_2026_11_h0686   ballots that arrived in the box's hour 686 (day 29, 14:00–15:00 UTC)
//	ballots_2026_11_g4      the box's fourth mix: every ballot mixed so far, resealed, shuffled
//	ballot_ids_2026_11      the guard: the _id of every ballot of the box that was ever submitted
//
// A submission inserts its ballot into its hour's collection, then its _id
// into the guard; an _id already in the guard is a replay from an earlier
// hour, whose ballot is deleted again (a replay within the hour meets the
// unique _id of the hour's collection). The hourly mix reads the hours that
// have closed and the last generation, writes them resealed and shuffled as
// the next generation, and drops what it read. The hour's collection exists
// only until the next mix; the guard holds no time and nothing of a ballot.

const (
	ballotsPrefix = "ballots_"
	guardPrefix   = "ballot_ids_"
)

// boxSuffix is a box's part of its collections' names: "2026-11" → "2026_11".
func boxSuffix(box string) string { return strings.ReplaceAll(box, "-", "_") }

// hourOf is the number of the hour t falls in, counted from the start of the
// month of box.
func hourOf(box string, t time.Time) int {
	start, err := time.Parse(survey.MonthLayout, box)
	if err != nil {
		return 0
	}
	return max(0, int(t.UTC().Sub(start)/time.Hour))
}

// hourEnd is when hour h of box ends.
func hourEnd(box string, h int) time.Time {
	start, _ := time.Parse(survey.MonthLayout, box)
	return start.Add(time.Duration(h+1) * time.Hour)
}

func hourCollection(box string, h int) string {
	return fmt.Sprintf("%s%s_h%04d", ballotsPrefix, boxSuffix(box), h)
}

func generationCollection(box string, g int) string {
	return fmt.Sprintf("%s%s_g%d", ballotsPrefix, boxSuffix(box), g)
}

func guardCollection(box string) string { return guardPrefix + boxSuffix(box) }

// boxCollections is what the survey database holds of one box.
type boxCollections struct {
	hours []int // hours with a collection, in order
	gens  []int // generations with a collection, in order
	guard bool
}

// collectionsOf lists the collections of box. The survey database holds a few
// hundred collections at most (comments per service and month, these), so
// listing them all is cheap.
func collectionsOf(ctx context.Context, db *mongo.Database, box string) (boxCollections, error) {
	var out boxCollections
	names, err := db.ListCollectionNames(ctx, map[string]any{})
	if err != nil {
		return out, fmt.Errorf("list the collections of ballot box %s: %w", box, err)
	}
	prefix := ballotsPrefix + boxSuffix(box) + "_"
	for _, name := range names {
		if name == guardCollection(box) {
			out.guard = true
			continue
		}
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || len(rest) < 2 {
			continue
		}
		n, err := strconv.Atoi(rest[1:])
		if err != nil {
			continue
		}
		switch rest[0] {
		case 'h':
			out.hours = append(out.hours, n)
		case 'g':
			out.gens = append(out.gens, n)
		}
	}
	sort.Ints(out.hours)
	sort.Ints(out.gens)
	return out, nil
}

// BallotCollections names the collections that hold the sealed ballots not
// yet released, of every box: each box's unmixed hours and its latest
// generation (an earlier generation left by a mix cut short holds copies of
// ballots counted there too). Their documents, with the responses released,
// are every response acknowledged.
func BallotCollections(ctx context.Context, db *mongo.Database) ([]string, error) {
	boxes, err := PendingBoxes(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, box := range boxes {
		cols, err := collectionsOf(ctx, db, box)
		if err != nil {
			return nil, err
		}
		st, err := readMixState(ctx, db, box)
		if err != nil {
			return nil, err
		}
		gen := st.Gen
		if st.Mixing == mixCleaning {
			gen = st.Next // complete; what it copied is being dropped
		}
		if gen > 0 {
			out = append(out, generationCollection(box, gen))
		}
		for _, h := range cols.hours {
			if st.Mixing != mixCleaning || !slices.Contains(st.Hours, h) {
				out = append(out, hourCollection(box, h))
			}
		}
	}
	return out, nil
}

// dropCollections drops the named collections; one already gone is no error.
func dropCollections(ctx context.Context, db *mongo.Database, names ...string) error {
	for _, name := range names {
		if err := db.Collection(name).Drop(ctx); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}

// eachBallot calls fn with every ballot of a collection, read in batches
// (each bounded on its own by the client's timeout) and never all held at
// once: a ballot is a few KiB of ciphertext.
func eachBallot(ctx context.Context, coll *mongo.Collection, fn func(ballotDoc) error) error {
	cur, err := coll.Find(ctx, map[string]any{}, options.Find().SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("read %s: %w", coll.Name(), err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		var d ballotDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("read %s: %w", coll.Name(), err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("read %s: %w", coll.Name(), err)
	}
	return nil
}
