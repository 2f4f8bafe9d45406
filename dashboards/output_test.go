package dashboards_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
)

func TestNeutralise_FormulaCells(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1)": "'=SUM(A1)", "+44 7700": "'+44 7700", "-2+3": "'-2+3", "@cmd": "'@cmd",
		"\tx": "'\tx", "\rx": "'\rx", "-12.5": "-12.5", "42": "42", "Good": "Good", "": "",
	} {
		if got := dashboards.Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
	one := 1.0
	var b bytes.Buffer
	c := dashboards.Chart{Name: "x", Title: "x", Kind: dashboards.ChartBar, Labels: []string{"=HYPERLINK(\"http://evil\")", "@x"},
		Series: []dashboards.ChartSeries{{Name: "+series", Values: []*float64{&one, nil}}}, K: 10}
	if err := dashboards.WriteChartCSV(&b, c); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
	if rows[2][1] != "" || rows[2][2] != "published" {
		t.Errorf("an empty cell of an answer chart: %q", rows[2])
	}
	// A hidden month: no figure in the number column, the reason in the status column.
	c = dashboards.Chart{Name: "x", Title: "x", Kind: dashboards.ChartLine, Labels: []string{"2026-01", "2026-02"}, Hidden: []string{"2026-02"},
		Series: []dashboards.ChartSeries{{Name: "Responses", Values: []*float64{&one, nil}}}, K: 10}
	b.Reset()
	if err := dashboards.WriteChartCSV(&b, c); err != nil {
		t.Fatal(err)
	}
	rows, _ = csv.NewReader(&b).ReadAll()
	if got := strings.Join(rows[2], ","); got != "2026-02,,not published: fewer than 10 responses" {
		t.Errorf("hidden row: %q", got)
	}
}

func TestCharts_AreValidSVGAndPNG(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(4, 4))
	for _, m := range monthsBefore(4) {
		f.submit(t, rng, "counselling", m, 5+rng.IntN(20))
	}
	d := f.dashboards(t, 10)
	ctx := context.Background()
	for _, r := range []dashboards.Range{{From: "2026-08", To: "2026-11"}, {From: "2026-11", To: "2026-11"}, {From: "2020-01", To: "2020-01"}} {
		st := must[*dashboards.ServiceStats](t)(d.Service(ctx, "counselling", r))
		for _, c := range dashboards.Charts(st) {
			svg := must[[]byte](t)(d.Chart(ctx, "counselling", r, c.Name, dashboards.SVG))
			dec := xml.NewDecoder(bytes.NewReader(svg))
			for {
				_, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s %v: SVG is not XML: %v", c.Name, r, err)
				}
			}
			img, err := png.Decode(bytes.NewReader(must[[]byte](t)(d.Chart(ctx, "counselling", r, c.Name, dashboards.PNG))))
			if err != nil || img.Bounds().Dx() != 800 {
				t.Fatalf("%s %v: PNG: %v", c.Name, r, err)
			}
			if c.Alt() == "" {
				t.Errorf("%s has no text alternative", c.Name)
			}
		}
	}
	if _, err := d.Chart(ctx, "counselling", dashboards.Range{From: "2026-11", To: "2026-11"}, "nope", dashboards.SVG); !errors.Is(err, dashboards.ErrUnknownChart) {
		t.Errorf("unknown chart: %v", err)
	}
}

func TestComments_PublishedOnlyNewestMonthFirstPagedWithoutRepeats(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(5, 5))
	f.submit(t, rng, "counselling", "2026-08", 30)
	f.submit(t, rng, "counselling", "2026-09", 6) // hidden
	f.submit(t, rng, "counselling", "2026-10", 25)
	d := f.dashboards(t, 10)
	ctx := context.Background()
	r := dashboards.Range{From: "2026-08", To: "2026-10"}
	seen := map[string]bool{}
	var months []string
	cursor := ""
	for {
		p := must[*dashboards.CommentPage](t)(d.Comments(ctx, "counselling", r, cursor, 4))
		for _, c := range p.Comments {
			if c.Month == "2026-09" {
				t.Fatal("a comment from a hidden month")
			}
			k := c.Month + c.Text
			if seen[k] && !strings.Contains(c.Text, " ") {
				t.Fatalf("comment repeated: %q", k)
			}
			seen[k] = true
			months = append(months, c.Month)
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	for i := 1; i < len(months); i++ {
		if months[i] > months[i-1] {
			t.Fatalf("months out of order: %v", months)
		}
	}
	if len(months) == 0 || months[0] != "2026-10" {
		t.Fatalf("newest month not first: %v", months)
	}
	if _, err := d.Comments(ctx, "counselling", r, "garbage", 4); !errors.Is(err, dashboards.ErrCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestDemo_FillsBothServicesWithAQuietMonth(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	sealer, err := ballotbox.NewSealer(ballotbox.NewKeyring(filepath.Join(t.TempDir(), "keyring")), nil, f.cat)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ballotbox.Demo(ctx, f.db, f.cat, ballotbox.DemoOptions{Responses: 600, Now: now, Seed: 3, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Responses < 500 || rep.Comments < 100 || rep.From != "2025-11" || rep.To != "2026-10" {
		t.Fatalf("demo stored %+v", rep)
	}
	d := f.dashboards(t, 10)
	r := dashboards.Range{From: rep.From, To: rep.To}
	o := must[*dashboards.Overview](t)(d.Overview(ctx, r))
	for _, s := range o.Services {
		if s.Totals.Responses == 0 || s.Totals.ResponseRate == nil || s.Totals.FFT.Positive == nil || s.Totals.Score == nil {
			t.Errorf("%s: %+v", s.Service, s.Totals)
		}
	}
	if peer := o.Services[1]; len(peer.HiddenMonths) < 1 {
		t.Errorf("the smaller service has no quiet month: %+v", peer)
	}
	p := must[*dashboards.CommentPage](t)(d.Comments(ctx, "counselling", r, "", 50))
	if len(p.Comments) != 50 {
		t.Errorf("%d comments", len(p.Comments))
	}
}
