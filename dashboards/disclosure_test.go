package dashboards_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

const propK = 10

// world is random counters (and comments) for both services over 14 months, in
// the current survey version, an archived one that words one question
// differently, and a version nobody knows.
type world struct {
	f       *fixture
	d       *dashboards.Dashboards
	rng     *rand.Rand
	months  []string
	defs    map[string][]*survey.Definition // service → versions known
	buckets map[string]*counterDoc          // id → counters
}

func archivedCounselling(t testing.TB) *survey.Definition {
	t.Helper()
	raw, err := os.ReadFile("../survey/definitions/counselling.json")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(raw), "Did you feel listened to by your counsellor?", "Did your counsellor listen to you?", 1)
	def, err := survey.ParseDefinition([]byte(changed))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func newWorld(t testing.TB, seed uint64) *world {
	f := newFixture(t)
	old := archivedCounselling(t)
	d, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clocktest.Wall, K: propK, Archive: []*survey.Definition{old}, MaxAge: time.Hour, CommentsMaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{f: f, d: d, rng: rand.New(rand.NewPCG(seed, 3)), months: monthsBefore(14), buckets: map[string]*counterDoc{}}
	w.defs = map[string][]*survey.Definition{
		"counselling":  {f.def(t, "counselling"), old},
		"peer-support": {f.def(t, "peer-support")},
	}
	for service, defs := range w.defs {
		for _, m := range w.months {
			for vi, def := range defs {
				n := []int{0, 3, 9, 10, 11, 25, 60}[w.rng.IntN(7)]
				if vi > 0 && w.rng.IntN(2) == 0 {
					n = 0
				}
				w.fill(t, service, def, def.Version, m, n)
			}
			if w.rng.IntN(4) == 0 { // a version this code does not know
				w.fill(t, service, defs[0], "0000000000", m, w.rng.IntN(12))
			}
		}
	}
	return w
}

// fill sets a bucket to n random responses, with their comments.
func (w *world) fill(t testing.TB, service string, def *survey.Definition, version, month string, n int) {
	c := newCounterDoc(service, version, month)
	var comments []any
	for range n {
		a := randomAnswers(w.rng, def)
		c.add(def, a)
		if txt, ok := a["fft_why"]; ok {
			comments = append(comments, survey.Comment{ID: fmt.Sprint(w.rng.Uint64()), Service: service, Version: version, Month: month, Question: "fft_why", Text: txt.Text, FFT: a["fft"].Choice})
		}
	}
	id := service + "|" + version + "|" + month
	ctx := context.Background()
	coll := w.f.db.Collection(survey.CommentsCollection(service, month))
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "version", Value: version}}); err != nil {
		t.Fatal(err)
	}
	if len(comments) > 0 {
		if _, err := coll.InsertMany(ctx, comments); err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		c.delete(t, w.f.db)
		delete(w.buckets, id)
		return
	}
	c.write(t, w.f.db)
	w.buckets[id] = c
}

func (w *world) monthTotal(service, month string) int64 {
	var n int64
	for _, c := range w.buckets {
		if c.service == service && c.month == month {
			n += c.n
		}
	}
	return n
}

// quarterHasPublishedMonth says whether another month of m's calendar
// quarter is published, so the quarter never publishes as one bucket.
func (w *world) quarterHasPublishedMonth(service, m string) bool {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return false
	}
	first := time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if w.monthTotal(service, survey.Month(first.AddDate(0, i, 0))) >= propK {
			return true
		}
	}
	return false
}

// render produces every published view for the ranges: aggregates as JSON,
// chart data, each chart's CSV, the charts' long CSV, text alternatives, the
// FFT return, the overview and every page of comments; and SVG for a few.
func (w *world) render(t testing.TB, ranges []dashboards.Range) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	if err := w.d.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	published := 0
	defer func() {
		if published == 0 {
			t.Fatal("no view publishes a month: the properties would hold vacuously")
		}
	}()
	for ri, r := range ranges {
		for _, service := range w.d.Services() {
			key := service + " " + r.String()
			st := must[*dashboards.ServiceStats](t)(w.d.Service(ctx, service, r))
			out[key+" json"] = must[[]byte](t)(json.Marshal(st))
			published += len(st.Months) - len(st.HiddenMonths)
			charts := dashboards.Charts(st)
			out[key+" charts json"] = must[[]byte](t)(json.Marshal(charts))
			for ci, c := range charts {
				var b bytes.Buffer
				if err := dashboards.WriteChartCSV(&b, c); err != nil {
					t.Fatal(err)
				}
				out[key+" csv "+c.Name] = b.Bytes()
				out[key+" alt "+c.Name] = []byte(c.Alt())
				if ri < 2 && ci < 3 {
					out[key+" svg "+c.Name] = must[[]byte](t)(w.d.Chart(ctx, service, r, c.Name, dashboards.SVG))
				}
			}
			var b bytes.Buffer
			if err := dashboards.WriteChartsCSV(&b, st); err != nil {
				t.Fatal(err)
			}
			out[key+" charts csv"] = b.Bytes()
			// Issue 22's views: comparisons, theme counts, filtered comments and their CSV.
			out[key+" compare"] = must[[]byte](t)(json.Marshal(must[*dashboards.Comparison](t)(w.d.Compare(ctx, service, r))))
			out[key+" themes"] = must[[]byte](t)(json.Marshal(must[*dashboards.ThemeCounts](t)(w.d.CountThemes(ctx, service, r))))
			for _, f := range []dashboards.CommentFilter{{Rating: "good"}, {Theme: "Staff listening, understanding & involving patients"}, {Search: "helped"}} {
				p := must[*dashboards.CommentPage](t)(w.d.AllComments(ctx, service, r, f))
				b.Reset()
				if err := dashboards.WriteCommentsCSV(&b, p); err != nil {
					t.Fatal(err)
				}
				out[fmt.Sprintf("%s comments %+v csv", key, f)] = append([]byte(nil), b.Bytes()...)
			}
			cursor := ""
			for page := 0; ; page++ {
				p := must[*dashboards.CommentPage](t)(w.d.Comments(ctx, service, r, cursor, 7))
				out[fmt.Sprintf("%s comments %d", key, page)] = must[[]byte](t)(json.Marshal(p))
				if cursor = p.Next; cursor == "" {
					break
				}
			}
		}
		var b bytes.Buffer
		if err := w.d.WriteFFTReturn(ctx, &b, r, "DEMO1"); err != nil {
			t.Fatal(err)
		}
		out[r.String()+" fft return"] = b.Bytes()
		out[r.String()+" overview"] = must[[]byte](t)(json.Marshal(must[*dashboards.Overview](t)(w.d.Overview(ctx, r))))
		out[r.String()+" board pack"] = must[[]byte](t)(json.Marshal(must[[]dashboards.ServicePack](t)(w.d.BoardPack(ctx, r))))
	}
	return out
}

func (w *world) randomRange() dashboards.Range {
	i := w.rng.IntN(len(w.months))
	j := i + w.rng.IntN(len(w.months)-i)
	// The world's counters and comments carry no verified flag: they are the
	// open link's, so the views read that source (read as verified, every
	// month would be hidden and the properties would hold vacuously).
	return dashboards.Range{From: w.months[i], To: w.months[j], Source: dashboards.Open}
}

// Hidden means hidden: adding or removing responses in buckets that stay
// below K changes no published byte of any view.
func TestDisclosure_HiddenBucketsChangeNoPublishedByte(t *testing.T) {
	for seed := uint64(1); seed <= 2; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := newWorld(t, seed)
			ranges := []dashboards.Range{{From: w.months[0], To: w.months[len(w.months)-1]}}
			for range 5 {
				ranges = append(ranges, w.randomRange())
			}
			before := w.render(t, ranges)
			changed := 0
			for service, defs := range w.defs {
				for _, m := range w.months {
					if w.monthTotal(service, m) >= propK {
						continue // a published month: its figures may rightly change
					}
					if !w.quarterHasPublishedMonth(service, m) {
						continue // its quarter may publish as one bucket (TestDisclosure_Quarters…)
					}
					// Redraw every bucket of the hidden month, keeping the month below K.
					budget := propK - 1
					for vi, def := range defs {
						n := w.rng.IntN(budget + 1)
						budget -= n
						w.fill(t, service, def, def.Version, m, n)
						_ = vi
					}
					w.fill(t, service, defs[0], "0000000000", m, w.rng.IntN(budget+1))
					changed++
				}
			}
			if changed == 0 {
				t.Skip("no hidden month drawn")
			}
			after := w.render(t, ranges)
			for k, b := range before {
				if !bytes.Equal(b, after[k]) {
					t.Errorf("%s changed when only hidden buckets did:\n%s\n%s", k, b, after[k])
				}
			}
			if len(before) != len(after) {
				t.Errorf("%d views before, %d after", len(before), len(after))
			}
			t.Logf("%d hidden months redrawn, %d views compared", changed, len(before))
		})
	}
}

// For any two ranges, every difference of a published count is made of whole
// published buckets: the single-month views of the months in one range and
// not the other.
func TestDisclosure_DifferencesAreWholePublishedBuckets(t *testing.T) {
	w := newWorld(t, 9)
	ctx := context.Background()
	for _, service := range w.d.Services() {
		single := map[string]*dashboards.ServiceStats{}
		for _, m := range w.months {
			single[m] = must[*dashboards.ServiceStats](t)(w.d.Service(ctx, service, dashboards.Range{From: m, To: m, Source: dashboards.Open}))
		}
		counts := func(st *dashboards.ServiceStats) []int64 {
			v := []int64{st.Totals.Responses, st.Totals.Invitations}
			for _, c := range st.Totals.FFT.Counts {
				v = append(v, c.Count)
			}
			if st.Totals.Score != nil {
				v = append(v, st.Totals.Score.Answers, st.Totals.Score.Promoters, st.Totals.Score.Detractors)
			} else {
				v = append(v, 0, 0, 0)
			}
			for _, q := range st.Questions {
				v = append(v, q.Total.Answered)
				v = append(v, q.Total.Counts...)
			}
			return v
		}
		sumOf := func(r dashboards.Range) []int64 {
			var sum []int64
			for _, m := range r.Months() {
				c := counts(single[m])
				if sum == nil {
					sum = make([]int64, len(c))
				}
				for i := range c {
					sum[i] += c[i]
				}
			}
			return sum
		}
		for range 60 {
			a, b := w.randomRange(), w.randomRange()
			ca := counts(must[*dashboards.ServiceStats](t)(w.d.Service(ctx, service, a)))
			cb := counts(must[*dashboards.ServiceStats](t)(w.d.Service(ctx, service, b)))
			sa, sb := sumOf(a), sumOf(b)
			for i := range ca {
				// Each range is the sum of its published months, so a - b is the
				// months of a not in b minus the months of b not in a, whole.
				if ca[i] != sa[i] || cb[i] != sb[i] || ca[i]-cb[i] != sa[i]-sb[i] {
					t.Fatalf("%s %v vs %v: figure %d is %d and %d; its published months add up to %d and %d", service, a, b, i, ca[i], cb[i], sa[i], sb[i])
				}
			}
		}
	}
	// The all-services row is the sum of the services' published totals.
	r := dashboards.Range{From: w.months[0], To: w.months[len(w.months)-1], Source: dashboards.Open}
	o := must[*dashboards.Overview](t)(w.d.Overview(ctx, r))
	var n int64
	for _, s := range o.Services {
		n += s.Totals.Responses
	}
	if o.All.Responses != n {
		t.Errorf("all services %d, sum of services %d", o.All.Responses, n)
	}
}

// A quarter publishes as one bucket only when all three of its months are
// hidden, the whole quarter is in the range and together they reach K; its
// figure is the sum of its months' counters, and it is in no total.
func TestDisclosure_QuartersAreWholeHiddenQuartersInNoTotal(t *testing.T) {
	w := newWorld(t, 5)
	ctx := context.Background()
	def := w.defs["peer-support"][0]
	for _, m := range w.months {
		w.fill(t, "peer-support", def, "0000000000", m, 0) // no unknown version's answers
	}
	for _, m := range []string{"2026-04", "2026-05", "2026-06"} {
		w.fill(t, "peer-support", def, def.Version, m, 4) // 12 together
	}
	for _, m := range []string{"2026-07", "2026-08", "2026-09"} {
		w.fill(t, "peer-support", def, def.Version, m, 3) // 9 together: hidden
	}
	w.fill(t, "peer-support", def, def.Version, "2026-02", 12) // Q1 has a published month
	w.fill(t, "peer-support", def, def.Version, "2026-01", 3)
	w.fill(t, "peer-support", def, def.Version, "2026-03", 9)
	if err := w.d.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	whole := dashboards.Range{From: "2026-01", To: "2026-11", Source: dashboards.Open}
	st := must[*dashboards.ServiceStats](t)(w.d.Service(ctx, "peer-support", whole))
	if len(st.Quarters) != 1 || st.Quarters[0].Quarter != "2026-Q2" || st.Quarters[0].Figures.Responses != 12 || st.Quarters[0].Figures.FFT.Answers != 12 {
		t.Fatalf("quarters: %+v", st.Quarters)
	}
	var sum int64
	for _, m := range st.Months {
		if m.Figures != nil {
			sum += m.Figures.Responses
		}
	}
	if st.Totals.Responses != sum {
		t.Errorf("a quarter counted in the totals: %d, months add up to %d", st.Totals.Responses, sum)
	}
	part := dashboards.Range{From: "2026-05", To: "2026-11", Source: dashboards.Open}
	if st := must[*dashboards.ServiceStats](t)(w.d.Service(ctx, "peer-support", part)); len(st.Quarters) != 0 {
		t.Errorf("a quarter cut by the range published: %+v", st.Quarters)
	}
}
