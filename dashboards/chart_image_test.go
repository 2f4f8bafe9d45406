package dashboards_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/dashboards"
)

// chartFixture is counselling with four published months of 12 responses.
func chartFixture(t *testing.T) (*dashboards.Dashboards, dashboards.Range) {
	t.Helper()
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(4, 4))
	months := monthsBefore(5)[:4]
	for _, m := range months {
		f.submit(t, rng, "counselling", m, 12)
	}
	return f.dashboards(t, 10), dashboards.Range{From: months[0], To: months[3]}
}

// A target is drawn as a line labelled with its value, and named in the
// legend; with no target the image says nothing of one.
func TestChart_DrawsTheTargetOnlyWhenOneIsSet(t *testing.T) {
	d, r := chartFixture(t)
	ctx := context.Background()
	svg := string(must[[]byte](t)(d.Chart(ctx, "counselling", r, dashboards.ChartFFT, dashboards.SVG)))
	if strings.Contains(svg, "Target") || strings.Contains(svg, "Assurance: Inconsistent (target") {
		t.Errorf("no target is set, but the chart names one:\n%s", svg)
	}
	if !strings.Contains(svg, "Assurance: No target set") {
		t.Errorf("the assurance icon's words are missing:\n%s", svg)
	}
	target := 80.0
	if err := d.SaveSetting(ctx, dashboards.MeasureSetting{Service: "counselling", Measure: dashboards.MeasureFFT, Target: &target}); err != nil {
		t.Fatal(err)
	}
	svg = string(must[[]byte](t)(d.Chart(ctx, "counselling", r, dashboards.ChartFFT, dashboards.SVG)))
	for _, want := range []string{">Target 80%<", ">Target<", "(target 80%)", "Variation: "} {
		if !strings.Contains(svg, want) {
			t.Errorf("with a target of 80%%, the chart lacks %q", want)
		}
	}
	c, _ := dashboards.ChartByName(must[*dashboards.ServiceStats](t)(d.Service(ctx, "counselling", r)), dashboards.ChartFFT)
	if c.Target == nil || *c.Target != 80 || c.YMax < 80 {
		t.Errorf("target %v, axis to %v: the target line is off the axis", c.Target, c.YMax)
	}
	if !strings.Contains(c.Alt(), " Target: 80%.") {
		t.Errorf("the text alternative does not say the target: %s", c.Alt())
	}
	if dir := os.Getenv("FEEDBACK_CHART_SAMPLES"); dir != "" {
		for _, f := range []dashboards.Format{dashboards.SVG, dashboards.PNG} {
			b := must[[]byte](t)(d.Chart(ctx, "counselling", r, dashboards.ChartFFT, f))
			if err := os.WriteFile(filepath.Join(dir, "fft-target."+string(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Every exported image names its source, the date it was drawn, the period
// and n, and the percentage axis carries "%". The PNG is drawn by the same
// code; that its foot and header rows hold ink is checked on the pixels.
func TestChart_ImageCarriesSourceDateAndN(t *testing.T) {
	d, r := chartFixture(t)
	ctx := context.Background()
	st := must[*dashboards.ServiceStats](t)(d.Service(ctx, "counselling", r))
	for _, c := range dashboards.Charts(st) {
		svg := string(must[[]byte](t)(d.Chart(ctx, "counselling", r, c.Name, dashboards.SVG)))
		want := []string{"Source: Counselling feedback survey.", "Generated " + d.Now().Format("2 January 2006") + ".",
			dashboards.PeriodName(r), "n = "}
		if c.Unit == "%" {
			want = append(want, "0%<")
		}
		if c.SPC != nil {
			want = append(want, "Variation: ")
		}
		for _, w := range want {
			if !strings.Contains(svg, w) {
				t.Errorf("%s: the SVG lacks %q", c.Name, w)
			}
		}
		img, err := png.Decode(bytes.NewReader(must[[]byte](t)(d.Chart(ctx, "counselling", r, c.Name, dashboards.PNG))))
		if err != nil {
			t.Fatal(err)
		}
		h := img.Bounds().Dy()
		if !inked(img, h-2*16, h) {
			t.Errorf("%s: the PNG's foot (source and date) is blank", c.Name)
		}
		if dir := os.Getenv("FEEDBACK_CHART_SAMPLES"); dir != "" {
			b := must[[]byte](t)(d.Chart(ctx, "counselling", r, c.Name, dashboards.PNG))
			if err := os.WriteFile(filepath.Join(dir, c.Name+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// inked says whether any pixel in rows [from, to) is dark, as text is.
func inked(img image.Image, from, to int) bool {
	b := img.Bounds()
	for y := from; y < to; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x4000 {
				return true
			}
		}
	}
	return false
}
