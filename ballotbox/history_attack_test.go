package ballotbox_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// recordedWrite is one write command as a replica set's oplog would keep it:
// its time, its collection and everything it wrote.
type recordedWrite struct {
	at         time.Time
	collection string
	docs       []bson.Raw // inserted documents, or the whole command for other writes
	releasing  bool       // sent while a release ran
}

// historyRecorder keeps every write sent to the survey database.
type historyRecorder struct {
	mu        sync.Mutex
	writes    []recordedWrite
	now       func() time.Time
	releasing bool
}

func (h *historyRecorder) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		switch e.CommandName {
		case "insert", "update", "delete", "findAndModify":
		default:
			return
		}
		coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
		w := recordedWrite{at: h.now(), collection: coll}
		if e.CommandName == "insert" {
			if arr, ok := e.Command.Lookup("documents").ArrayOK(); ok {
				vals, _ := arr.Values()
				for _, v := range vals {
					w.docs = append(w.docs, append(bson.Raw(nil), v.Document()...))
				}
			}
		} else {
			w.docs = []bson.Raw{append(bson.Raw(nil), e.Command...)}
		}
		h.mu.Lock()
		w.releasing = h.releasing
		h.writes = append(h.writes, w)
		h.mu.Unlock()
	}}
}

func (h *historyRecorder) setReleasing(on bool) {
	h.mu.Lock()
	h.releasing = on
	h.mu.Unlock()
}

// recordedStore opens a fresh embedded store through a client whose every
// write rec records, timed by c.
func recordedStore(t *testing.T, c *clocktest.Clock) (*historyRecorder, *mongo.Client) {
	t.Helper()
	st := storetest.New(t)
	rec := &historyRecorder{now: c.Now}
	client, err := mongo.Connect(options.Client().ApplyURI(st.URI).SetMonitor(rec.monitor()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return rec, client
}

// arrival is what the attacker knows of one submission: when, for which
// service, and its answers (marked by a unique comment).
type arrival struct {
	at      time.Time
	service string
	marker  string
}

// The attacker holds every write ever sent to the survey database with its
// time (what an oplog keeps), and knows each submission's time, service and
// answers. Twelve months of submissions at realistic spacing, each month
// released as serve would release it.
func TestHistoryAttack_NoWriteLinksAnAnswerToItsArrival(t *testing.T) {
	const k = 10
	first := onCalendar(time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC)) // the 1st of the first month
	c := clocktest.New(first)
	rec, client := recordedStore(t, c)
	db := client.Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	sealer := newSealer(t)
	responses := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer})
	t.Cleanup(responses.Close)
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: k, OpenK: k, OpenByMonth: true, Now: c.Now, Responses: responses})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 2))
	ctx := context.Background()
	var arrivals []arrival
	fft := []string{"very_good", "good", "neither", "poor", "very_poor", "dont_know"}
	for month := 0; month < 12; month++ {
		start := time.Date(first.Year(), first.Month()+time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		// About 40 counselling answers and 4 peer-support ones (a group under K,
		// carried from month to month until it reaches K), hours apart.
		n := 36 + rng.IntN(10)
		var times []time.Time
		for range n + 4 {
			times = append(times, start.Add(time.Duration(rng.Int64N(int64(27*24*time.Hour)))))
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		peer := map[int]bool{}
		for len(peer) < 4 {
			peer[rng.IntN(len(times))] = true
		}
		for i, at := range times {
			c.Set(at)
			service := "counselling"
			if peer[i] {
				service = "peer-support"
			}
			def, _ := cat.Get(service)
			marker := fmt.Sprintf("mk%03dz%03d", month, i)
			nonce, err := responses.Keys().Issue(ctx, service)
			if err != nil {
				t.Fatal(err)
			}
			a := survey.Answers{"fft": {Choice: fft[rng.IntN(len(fft))]}, "fft_why": {Text: "said " + marker}}
			if _, err := responses.Submit(ctx, def, nonce, a); err != nil {
				t.Fatal(err)
			}
			arrivals = append(arrivals, arrival{at: at, service: service, marker: marker})
		}
		// Released as serve would: once due, after the month has ended.
		c.Set(start.AddDate(0, 1, 0).Add(ballotbox.DefaultReleaseGrace + time.Hour))
		rec.setReleasing(true)
		if _, err := rel.ReleaseDue(ctx); err != nil {
			t.Fatal(err)
		}
		rec.setReleasing(false)
	}

	markers := map[string]arrival{}
	for _, a := range arrivals {
		markers[a.marker] = a
	}
	var rhos []float64
	for _, w := range rec.writes {
		answers := strings.HasPrefix(w.collection, "responses") || w.collection == "counters" || strings.HasPrefix(w.collection, "comments_")
		for _, d := range w.docs {
			if !answers {
				// A write outside a release's answers: nothing of any response in it.
				for _, needle := range []string{"said mk", "counselling", "peer-support", "very_good", "dont_know"} {
					if bytes.Contains(d, []byte(needle)) {
						t.Fatalf("a write to %s at %s holds %q", w.collection, w.at, needle)
					}
				}
			} else if !w.releasing {
				t.Fatalf("a write of answers to %s at %s outside a release", w.collection, w.at)
			}
		}
		if !answers || w.collection == "counters" {
			continue
		}
		// Every write holding answers holds at least K of each (service, month).
		groups := map[string]int{}
		var order []arrival
		for _, d := range w.docs {
			service, _ := d.Lookup("service").StringValueOK()
			month, _ := d.Lookup("month").StringValueOK()
			groups[service+"|"+month]++
			if m := markerIn(d); m != "" {
				order = append(order, markers[m])
			}
		}
		if w.collection == "responses" {
			for g, n := range groups {
				if n < k {
					t.Errorf("a write to responses at %s holds %d responses of %s, fewer than K", w.at, n, g)
				}
			}
		}
		if len(order) >= k {
			rhos = append(rhos, spearman(order))
		}
	}
	for _, w := range rec.writes {
		if w.collection != "counters" {
			continue
		}
		for _, d := range w.docs {
			if n, ok := d.Lookup("n").AsInt64OK(); ok && n < k {
				t.Errorf("a counter document written at %s counts %d responses, fewer than K", w.at, n)
			}
		}
	}
	if len(rhos) < 12 {
		t.Fatalf("only %d writes of answers to rank", len(rhos))
	}
	var sum float64
	for _, r := range rhos {
		sum += math.Abs(r)
	}
	if mean := sum / float64(len(rhos)); mean >= 0.3 {
		t.Fatalf("storage order follows arrival: mean |Spearman ρ| %.2f over %d writes", mean, len(rhos))
	} else {
		t.Logf("mean |Spearman ρ| between arrival and storage order: %.3f over %d writes", mean, len(rhos))
	}
	// Every answer was released, once, the peer-support ones once their
	// carried group reached K.
	stored := map[string]int{}
	cur, err := db.Collection("responses").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for cur.Next(ctx) {
		stored[markerIn(cur.Current)]++
	}
	// The last month's peer-support answers may still be carried, sealed.
	for _, a := range arrivals[:len(arrivals)-8] {
		if stored[a.marker] != 1 {
			t.Errorf("%s (%s) stored %d times", a.marker, a.service, stored[a.marker])
		}
	}
}

func markerIn(d bson.Raw) string {
	i := bytes.Index(d, []byte("said mk"))
	if i < 0 {
		return ""
	}
	return string(d[i+5 : i+5+9])
}

// spearman is the rank correlation between the arrival order of a write's
// answers and the order they were written in.
func spearman(written []arrival) float64 {
	n := len(written)
	byArrival := make([]int, n)
	for i := range byArrival {
		byArrival[i] = i
	}
	sort.Slice(byArrival, func(i, j int) bool { return written[byArrival[i]].at.Before(written[byArrival[j]].at) })
	rank := make([]int, n)
	for r, i := range byArrival {
		rank[i] = r
	}
	var d2 float64
	for pos, r := range rank {
		d := float64(pos - r)
		d2 += d * d
	}
	return 1 - 6*d2/float64(n*(n*n-1))
}
