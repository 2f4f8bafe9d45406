package survey

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

// Someone holding a copy of the disk mid-month and the sealing secret opens
// the ballots in the order the store keeps them: after a mix that order says
// nothing of their arrival, a replay of a mixed form is still refused, and a
// mix cut short is rolled back so the release counts every ballot once.
func TestMix_TakesAwayArrivalOrderAndKeepsEveryBallotOnce(t *testing.T) {
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	cat, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := NewSealer(NewSecret(), cat)
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
	r := NewResponses(db, Options{Now: clock.Now, Sealer: sealer})
	t.Cleanup(r.Close)
	rel, err := NewReleaser(db, cat, ReleaseOptions{Sealer: sealer, K: 5, Now: clock.Now, Responses: r, AfterRelease: st.Compact})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	def, _ := cat.Get("counselling")
	var nonces []string
	submit := func(i int) {
		nonce, _ := r.Keys().Issue(ctx, "counselling")
		nonces = append(nonces, nonce)
		if _, err := r.Submit(ctx, def, nonce, Answers{"fft": {Choice: "good"}, "fft_why": {Text: fmt.Sprintf("arrived %04d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 150 {
		submit(i)
	}
	if rho := storedOrder(t, db, rel); math.Abs(rho) < 0.9 {
		t.Fatalf("before a mix the store should keep arrival order (ρ %.2f): the test would prove nothing", rho)
	}
	if n, err := rel.MixPending(ctx); err != nil || n != 150 {
		t.Fatalf("mix: %d %v", n, err)
	}
	if rho := storedOrder(t, db, rel); math.Abs(rho) > 0.3 {
		t.Fatalf("after a mix the stored order follows arrival: ρ %.2f", rho)
	}
	// A replay of a mixed form meets its tombstone.
	if out, err := r.Submit(ctx, def, nonces[3], Answers{"fft": {Choice: "poor"}}); err != nil || out != AlreadyReceived {
		t.Fatalf("replay after a mix: %v %v", out, err)
	}
	// More arrive, and a mix is cut short while copying: rolled back, then done.
	for i := 150; i < 180; i++ {
		submit(i)
	}
	if err := rel.setMixState(ctx, "2026-10", mixState{Gen: 1, Next: 2, Mixing: mixCopying}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection(ballotsCollection).UpdateMany(ctx, bson.D{{Key: "m", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "t", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "claim", Value: 2}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rel.copyBallots(ctx, "2026-10", mustKey(t, rel), 2); err != nil {
		t.Fatal(err)
	}
	// The release settles the broken mix and counts each ballot once.
	clock.Set(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC))
	reports, err := rel.ReleaseDue(ctx)
	if err != nil || len(reports) != 1 || reports[0].Responses != 180 {
		t.Fatalf("release after a broken mix: %+v %v", reports, err)
	}
	seen := map[string]int{}
	cur, _ := db.Collection(responsesCollection).Find(ctx, bson.D{})
	for cur.Next(ctx) {
		var resp Response
		_ = cur.Decode(&resp)
		for _, e := range resp.Answers {
			if e.Key == "fft_why" {
				seen[e.Value.(string)]++
			}
		}
	}
	for i := range 180 {
		if n := seen[fmt.Sprintf("arrived %04d", i)]; n != 1 {
			t.Errorf("ballot %d released %d times", i, n)
		}
	}
}

func mustKey(t *testing.T, rel *Releaser) []byte {
	t.Helper()
	k, err := rel.boxes.key(context.Background(), "2026-10", true)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// storedOrder opens the box's ballots in the store's own order (a find with
// no sort reads rows as SQLite keeps them), as someone with the disk and the
// secret would, and returns the rank correlation of that order with arrival.
func storedOrder(t *testing.T, db *mongo.Database, rel *Releaser) float64 {
	t.Helper()
	cur, err := db.Collection(ballotsCollection).Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []ballotDoc
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	key := mustKey(t, rel)
	var ranks []int
	for _, doc := range docs {
		if doc.Tomb {
			continue
		}
		plain, err := open(key, doc.Box, doc.ID, doc.Sealed)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := decodeBallot(plain)
		for _, e := range b.Answers {
			if e.Key == "fft_why" {
				var n int
				_, _ = fmt.Sscanf(strings.TrimPrefix(e.Value.(string), "arrived "), "%d", &n)
				ranks = append(ranks, n)
			}
		}
	}
	return rankCorrelation(ranks)
}

// rankCorrelation is Spearman's ρ between positions and the values held there.
func rankCorrelation(values []int) float64 {
	n := len(values)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return values[idx[a]] < values[idx[b]] })
	var d2 float64
	for rank, pos := range idx {
		d := float64(rank - pos)
		d2 += d * d
	}
	return 1 - 6*d2/float64(n*(n*n-1))
}
