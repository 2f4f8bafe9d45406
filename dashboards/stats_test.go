package dashboards_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

func TestNew_RefusesKBelowFive(t *testing.T) {
	f := newFixture(t)
	for _, k := range []int{-1, 1, 4} {
		if _, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clocktest.Wall, K: k}); err == nil {
			t.Errorf("K=%d was accepted", k)
		}
	}
	d, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clocktest.Wall})
	if err != nil || d.K() != dashboards.DefaultK {
		t.Fatalf("default K: %v, %v", d, err)
	}
}

// Aggregates equal a count made the slow way, from every stored response.
func TestService_EqualsBruteForceCountOfPublishedBuckets(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(7, 7))
	months := monthsBefore(6)
	for _, service := range []string{"counselling", "peer-support"} {
		for _, m := range months {
			f.submit(t, rng, service, m, rng.IntN(22)) // some months below K
		}
	}
	const k = 10
	d := f.dashboards(t, k)
	ctx := context.Background()
	r := dashboards.Range{From: months[0], To: months[len(months)-1]}

	// Brute force: every response, counted per service and month.
	type tally struct {
		n        int64
		answered map[string]int64
		counts   map[string]int64 // question|value
	}
	brute := map[string]*tally{}
	cur := must[*mongoCursor](t)(f.db.Collection("responses").Find(ctx, bson.D{}))
	var all []survey.Response
	if err := cur.All(ctx, &all); err != nil {
		t.Fatal(err)
	}
	for _, resp := range all {
		key := resp.Service + "|" + resp.Month
		tl := brute[key]
		if tl == nil {
			tl = &tally{answered: map[string]int64{}, counts: map[string]int64{}}
			brute[key] = tl
		}
		tl.n++
		for _, e := range resp.Answers {
			tl.answered[e.Key]++
			switch v := e.Value.(type) {
			case string:
				tl.counts[e.Key+"|"+v]++
			case int32:
				tl.counts[e.Key+"|"+strconv.Itoa(int(v))]++
			case bson.A:
				for _, c := range v {
					tl.counts[e.Key+"|"+c.(string)]++
				}
			}
		}
	}
	for _, service := range []string{"counselling", "peer-support"} {
		st := must[*dashboards.ServiceStats](t)(d.Service(ctx, service, r))
		var total int64
		for i, m := range st.Months {
			tl := brute[service+"|"+m.Month]
			if tl == nil || tl.n < k {
				if !m.Hidden || m.Figures != nil {
					t.Errorf("%s %s: %v responses but published", service, m.Month, tl)
				}
				continue
			}
			total += tl.n
			if m.Figures == nil || m.Figures.Responses != tl.n {
				t.Fatalf("%s %s: responses %+v, brute force %d", service, m.Month, m.Figures, tl.n)
			}
			for _, q := range st.Questions {
				fig := q.Months[i].Figures
				if fig == nil || fig.Answered != tl.answered[q.ID] {
					t.Errorf("%s %s %s: answered %+v, brute force %d", service, m.Month, q.ID, fig, tl.answered[q.ID])
					continue
				}
				for j, o := range q.Options {
					if q.Kind != survey.Text && fig.Counts[j] != tl.counts[q.ID+"|"+o.Value] {
						t.Errorf("%s %s %s=%s: %d, brute force %d", service, m.Month, q.ID, o.Value, fig.Counts[j], tl.counts[q.ID+"|"+o.Value])
					}
				}
			}
			var pos, neg int64 = tl.counts["fft|very_good"] + tl.counts["fft|good"], tl.counts["fft|poor"] + tl.counts["fft|very_poor"]
			if want := float64(int64(float64(pos)*1000/float64(tl.n)+0.5)) / 10; *m.Figures.FFT.Positive != want {
				t.Errorf("%s %s: positive %v, brute force %v", service, m.Month, *m.Figures.FFT.Positive, want)
			}
			_ = neg
		}
		if st.Totals.Responses != total {
			t.Errorf("%s: total %d, brute force over published months %d", service, st.Totals.Responses, total)
		}
	}
}

// A bucket of K-1 responses publishes nothing; one more and it is published.
func TestService_BucketOfKMinusOneThenK(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(1, 1))
	const k = 10
	f.submit(t, rng, "peer-support", "2026-10", k-1)
	d := f.dashboards(t, k)
	ctx := context.Background()
	r := dashboards.Range{From: "2026-10", To: "2026-10"}
	st := must[*dashboards.ServiceStats](t)(d.Service(ctx, "peer-support", r))
	if m := st.Months[0]; !m.Hidden || m.Figures != nil || st.Totals.Responses != 0 || st.Totals.FFT.Positive != nil ||
		len(st.HiddenMonths) != 1 || st.Questions[0].Total.Answered != 0 {
		t.Fatalf("K-1 responses published something: %+v", st)
	}
	page := must[*dashboards.CommentPage](t)(d.Comments(ctx, "peer-support", r, "", 100))
	if len(page.Comments) != 0 {
		t.Fatalf("comments from a hidden month: %+v", page.Comments)
	}
	// A month's ballots are released once; K of them in another month publish.
	f.submit(t, rng, "peer-support", "2026-09", k)
	r = dashboards.Range{From: "2026-09", To: "2026-09"}
	st = must[*dashboards.ServiceStats](t)(d.Service(ctx, "peer-support", r))
	if m := st.Months[0]; m.Hidden || m.Figures == nil || m.Figures.Responses != k || st.Totals.Responses != k {
		t.Fatalf("K responses not published: %+v", st.Months[0])
	}
}

func TestCountInvitation_ResponseRateOnlyForPublishedMonths(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(2, 2))
	f.submit(t, rng, "counselling", "2026-09", 12)
	f.submit(t, rng, "counselling", "2026-10", 4)
	inv := survey.NewInvitationCounts(f.db)
	ctx := context.Background()
	for day, n := range map[string]int{"2026-09-03": 30, "2026-09-30": 18, "2026-10-10": 20} {
		for range n {
			if err := inv.CountInvitation(ctx, "counselling", day); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := inv.CountInvitation(ctx, "counselling", "2026-9-3"); err == nil {
		t.Error("a malformed day was counted")
	}
	var docs []bson.M
	cur := must[*mongoCursor](t)(f.db.Collection("invitations").Find(ctx, bson.D{}))
	if err := cur.All(ctx, &docs); err != nil || len(docs) != 2 {
		t.Fatalf("want one document per month, got %v %v", docs, err)
	}
	st := must[*dashboards.ServiceStats](t)(f.dashboards(t, 10).Service(ctx, "counselling", dashboards.Range{From: "2026-09", To: "2026-10"}))
	sep, oct := st.Months[0].Figures, st.Months[1].Figures
	if sep == nil || sep.Invitations != 48 || *sep.ResponseRate != 25 {
		t.Errorf("September: %+v", sep)
	}
	if oct != nil || st.Totals.Invitations != 48 || *st.Totals.ResponseRate != 25 {
		t.Errorf("a hidden month counted towards the rate: %+v %+v", oct, st.Totals)
	}
}
