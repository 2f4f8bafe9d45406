package dashboards_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/feedback-service/feedback/dashboards"
)

func TestSmoke(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i, m := range monthsBefore(6) {
		f.submit(t, rng, "counselling", m, 8+i*3)
	}
	d := f.dashboards(t, 10)
	ctx := context.Background()
	st, err := d.Service(ctx, "counselling", dashboards.Range{From: "2026-05", To: "2026-11"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(st, "", " ")
	os.WriteFile("/tmp/st.json", b, 0o644)
	for _, c := range dashboards.Charts(st) {
		for _, fm := range []dashboards.Format{dashboards.SVG, dashboards.PNG} {
			out, err := d.Chart(ctx, "counselling", st.Range, c.Name, fm)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile("/tmp/chart-"+c.Name+"."+string(fm), out, 0o644)
		}
		t.Log(c.Alt())
	}
	p, err := d.Comments(ctx, "counselling", st.Range, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", p)
}
