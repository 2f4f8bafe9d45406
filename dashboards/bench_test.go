package dashboards_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// benchWorld stores counters that add up to a million responses over 13 months
// for the two services (written directly, as a million submissions would leave
// them), plus DASHBOARDS_BENCH_RESPONSES raw response documents and
// DASHBOARDS_BENCH_COMMENTS comments, to show the request path does not read
// the responses.
func benchWorld(b *testing.B) (*fixture, *dashboards.Dashboards, dashboards.Range) {
	return benchWorldOver(b, 13)
}

// benchWorldOver is benchWorld over the given number of months.
func benchWorldOver(b *testing.B, nMonths int) (*fixture, *dashboards.Dashboards, dashboards.Range) {
	f := newFixture(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 1))
	months := monthsBefore(nMonths)
	const total = 1_000_000
	for si, service := range []string{"counselling", "peer-support"} {
		def := f.def(b, service)
		share := []float64{0.68, 0.32}[si]
		for _, m := range months {
			c := newCounterDoc(service, def.Version, m)
			c.n = int64(float64(total) * share / float64(len(months)))
			for _, q := range def.Questions {
				c.q[q.ID] = c.n * 9 / 10
				if q.Kind == survey.Text {
					continue
				}
				c.a[q.ID] = map[string]int64{}
				left := c.q[q.ID]
				for i, o := range q.Options {
					v := left / 2
					if i == len(q.Options)-1 {
						v = left
					}
					if q.ID == survey.FFTQuestionID && i == 0 {
						v += c.n - c.q[q.ID]
					}
					c.a[q.ID][o.Value] = v
					left -= v
				}
			}
			c.write(b, f.db)
		}
	}
	inv := survey.NewInvitationCounts(f.db)
	for _, m := range months {
		if err := inv.CountInvitation(ctx, "counselling", m+"-01"); err != nil {
			b.Fatal(err)
		}
	}
	// fill inserts documents in batches of 1,000 into the collection each names.
	fill := func(env, what string, doc func(i int) (string, any)) {
		n, _ := strconv.Atoi(os.Getenv(env))
		start := time.Now()
		for i := 0; i < n; i += 1000 {
			docs := map[string][]any{}
			for j := i; j < min(n, i+1000); j++ {
				coll, d := doc(j)
				docs[coll] = append(docs[coll], d)
			}
			for coll, batch := range docs {
				if _, err := f.db.Collection(coll).InsertMany(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
		}
		if n > 0 {
			b.Logf("%d %s in %v", n, what, time.Since(start).Round(time.Second))
		}
	}
	fill("DASHBOARDS_BENCH_RESPONSES", "responses", func(i int) (string, any) {
		return "responses", survey.Response{ID: fmt.Sprintf("%032x", i), Service: "counselling", Version: "x", Month: months[i%len(months)]}
	})
	fill("DASHBOARDS_BENCH_COMMENTS", "comments", func(i int) (string, any) {
		service := []string{"counselling", "peer-support"}[i%2]
		c := survey.Comment{ID: fmt.Sprintf("%032x", i), Service: service, Version: f.def(b, service).Version,
			Month: months[rng.IntN(len(months))], Question: "fft_why", Text: comments[rng.IntN(len(comments))] + strconv.Itoa(i)}
		return survey.CommentsCollection(c.Service, c.Month), c
	})
	d, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clocktest.Wall})
	if err != nil {
		b.Fatal(err)
	}
	return f, d, dashboards.Range{From: months[0], To: months[len(months)-1]}
}

// timed runs fn b.N times and reports its 95th percentile.
func timed(b *testing.B, fn func()) {
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t := time.Now()
		fn()
		ds = append(ds, time.Since(t))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkServiceDashboard: one service's dashboard over 13 months — the
// aggregates, every chart's data and CSV, and every chart drawn.
func BenchmarkServiceDashboard(b *testing.B) {
	_, d, r := benchWorld(b)
	ctx := context.Background()
	page := func(draw func(c dashboards.Chart)) {
		st, err := d.Service(ctx, "counselling", r)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range dashboards.Charts(st) {
			_ = c.Alt()
			if err := dashboards.WriteChartCSV(io.Discard, c); err != nil {
				b.Fatal(err)
			}
			draw(c)
		}
	}
	b.Run("aggregates", func(b *testing.B) { timed(b, func() { page(func(dashboards.Chart) {}) }) })
	b.Run("aggregates-counters-reread", func(b *testing.B) {
		timed(b, func() {
			if err := d.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
			page(func(dashboards.Chart) {})
		})
	})
	b.Run("charts-cached", func(b *testing.B) {
		timed(b, func() {
			page(func(c dashboards.Chart) {
				if _, err := d.Chart(ctx, "counselling", r, c.Name, dashboards.SVG); err != nil {
					b.Fatal(err)
				}
			})
		})
	})
	b.Run("charts-uncached", func(b *testing.B) {
		timed(b, func() {
			page(func(c dashboards.Chart) {
				if _, err := dashboards.Render(c, dashboards.SVG); err != nil {
					b.Fatal(err)
				}
			})
		})
	})
	b.Run("comments-page", func(b *testing.B) {
		timed(b, func() {
			if _, err := d.Comments(ctx, "counselling", r, "", 20); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("comments-reread", func(b *testing.B) {
		timed(b, func() {
			if err := d.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := d.Comments(ctx, "counselling", r, "", 20); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkBoardDashboard: the issue-22 dashboard of one service over 36
// months holding a million responses — aggregates with SPC for three
// measures, the comparison with earlier periods, theme counts, every chart's
// table and CSV, and every chart drawn (cached or not) — and the comments
// workbench's first page, plain and filtered. DASHBOARDS_BENCH_COMMENTS
// comments are spread over both services' 36 months.
func BenchmarkBoardDashboard(b *testing.B) {
	_, d, r := benchWorldOver(b, 36)
	// The bench's counters and comments carry no verified flag: they count as
	// the open link's, so the period is read as such.
	r.Source = dashboards.Open
	ctx := context.Background()
	st, err := d.Service(ctx, "counselling", r)
	if err != nil || st.Totals.Responses < 600_000 || len(st.SPC[dashboards.MeasureFFT].Points) < 30 {
		b.Fatalf("the bench's counters are not published: %v", err)
	}
	if p, err := d.Comments(ctx, "counselling", r, "", 20); err != nil || (os.Getenv("DASHBOARDS_BENCH_COMMENTS") != "" && len(p.Comments) != 20) {
		b.Fatalf("the bench's comments are not published: %v", err)
	}
	page := func(draw func(c dashboards.Chart)) {
		st, err := d.Service(ctx, "counselling", r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Compare(ctx, "counselling", r); err != nil {
			b.Fatal(err)
		}
		if _, err := d.CountThemes(ctx, "counselling", r); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Comments(ctx, "counselling", r, "", 20); err != nil {
			b.Fatal(err)
		}
		for _, c := range dashboards.Charts(st) {
			_ = c.Alt()
			if err := dashboards.WriteChartCSV(io.Discard, c); err != nil {
				b.Fatal(err)
			}
			draw(c)
		}
	}
	b.Run("page-charts-cached", func(b *testing.B) {
		timed(b, func() {
			page(func(c dashboards.Chart) {
				if _, err := d.Chart(ctx, "counselling", r, c.Name, dashboards.SVG); err != nil {
					b.Fatal(err)
				}
			})
		})
	})
	b.Run("page-charts-uncached", func(b *testing.B) {
		timed(b, func() {
			page(func(c dashboards.Chart) {
				if _, err := dashboards.Render(c, dashboards.SVG); err != nil {
					b.Fatal(err)
				}
			})
		})
	})
	for name, f := range map[string]dashboards.CommentFilter{
		"workbench-first-page": {}, "workbench-rating": {Rating: "very_good"},
		"workbench-theme": {Theme: "Staff listening, understanding & involving patients"}, "workbench-search": {Search: "listened"},
	} {
		b.Run(name, func(b *testing.B) {
			timed(b, func() {
				if _, err := d.FilteredComments(ctx, "counselling", r, f, "", 20); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	b.Run("workbench-after-reload", func(b *testing.B) {
		timed(b, func() {
			if err := d.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := d.FilteredComments(ctx, "counselling", r, dashboards.CommentFilter{}, "", 20); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkBoardPack: the board pack of last month for both services over
// the bench's counters — the period, the 12 months and the trend of each,
// with SPC, theme counts and picked comments.
func BenchmarkBoardPack(b *testing.B) {
	_, d, r := benchWorld(b)
	ctx := context.Background()
	last := dashboards.Range{From: r.To, To: r.To, Source: r.Source}
	timed(b, func() {
		if _, err := d.BoardPack(ctx, last); err != nil {
			b.Fatal(err)
		}
	})
}
