package dashboards_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
)

// A saved target and baseline reach the control chart, and a bad one is
// refused with the error that names it.
func TestSaveSetting_TargetAndBaselineReachTheControlChart(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(9, 9))
	months := monthsBefore(5)[:4]
	for _, m := range months {
		f.submit(t, rng, "counselling", m, 12)
	}
	d := f.dashboards(t, 10)
	ctx := context.Background()
	r := dashboards.Range{From: months[0], To: months[3]}
	target := 50.0
	if err := d.SaveSetting(ctx, dashboards.MeasureSetting{Service: "counselling", Measure: dashboards.MeasureFFT, Target: &target, Baseline: months[2]}); err != nil {
		t.Fatal(err)
	}
	st := must[*dashboards.ServiceStats](t)(d.Service(ctx, "counselling", r))
	spc := st.SPC[dashboards.MeasureFFT]
	if spc.Target == nil || *spc.Target != 50 || spc.Baseline != months[2] || spc.Assurance == "" {
		t.Errorf("SPC: %+v", spc)
	}
	for _, bad := range []struct {
		set  dashboards.MeasureSetting
		want error
	}{
		{dashboards.MeasureSetting{Service: "counselling", Measure: dashboards.MeasureFFT, Target: ptr(101)}, dashboards.ErrTarget},
		{dashboards.MeasureSetting{Service: "counselling", Measure: dashboards.MeasureScore, Target: ptr(-101)}, dashboards.ErrTarget},
		{dashboards.MeasureSetting{Service: "counselling", Measure: dashboards.MeasureFFT, Baseline: "2026-13"}, dashboards.ErrBaseline},
		{dashboards.MeasureSetting{Service: "counselling", Measure: "nope"}, dashboards.ErrSetting},
		{dashboards.MeasureSetting{Service: "nope", Measure: dashboards.MeasureFFT}, dashboards.ErrUnknownService},
	} {
		if err := d.SaveSetting(ctx, bad.set); !errors.Is(err, bad.want) {
			t.Errorf("%+v: %v, want %v", bad.set, err, bad.want)
		}
	}
}

func ptr(v float64) *float64 { return &v }

func TestOrganisationCode_IsCheckedAndWrittenInTheFFTReturn(t *testing.T) {
	f := newFixture(t)
	for _, bad := range []string{"rx4", "R", "RX4-AB", "ABCDEFGHIJK"} {
		if _, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clocktest.Wall, OrganisationCode: bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	d, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clocktest.Wall, OrganisationCode: "RX4AB"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := d.WriteFFTReturn(context.Background(), &b, dashboards.Range{From: "2026-09", To: "2026-10"}, d.OrganisationCode()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2026-09,RX4AB,counselling,") {
		t.Errorf("FFT return:\n%s", b.String())
	}
}
