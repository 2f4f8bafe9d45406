package dashboards_test

import (
	"testing"

	"github.com/feedback-service/feedback/dashboards"
)

// Known values: 0 of 10 and 5 of 10 are the textbook cases (Newcombe 1998,
// Table I: 0/10 gives 0 to 0.2775); 81 of 263 is Wikipedia's worked example
// (0.2553 to 0.3662); 12 of 12 and 1200 of 1538 show n's effect.
func TestWilson_KnownValues(t *testing.T) {
	for _, tc := range []struct {
		part, whole int64
		low, high   float64
	}{
		{0, 10, 0, 27.8}, {5, 10, 23.7, 76.3}, {81, 263, 25.5, 36.6}, {12, 12, 75.8, 100}, {10, 12, 55.2, 95.3},
		{1000, 1000, 99.6, 100}, {936, 1200, 75.6, 80.3},
	} {
		got := dashboards.Wilson(tc.part, tc.whole)
		if got == nil || got.Low != tc.low || got.High != tc.high {
			t.Errorf("Wilson(%d, %d) = %+v, want %v to %v", tc.part, tc.whole, got, tc.low, tc.high)
		}
	}
	for _, bad := range [][2]int64{{0, 0}, {3, 2}, {-1, 5}} {
		if dashboards.Wilson(bad[0], bad[1]) != nil {
			t.Errorf("Wilson%v is not nil", bad)
		}
	}
}
