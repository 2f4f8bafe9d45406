package clocktest

import (
	"testing"
	"time"
)

func TestShift_KeepsThePlaceInTheMonthOnTheStartsMonth(t *testing.T) {
	def := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	t.Setenv(StartVariable, "2028-02-29T12:00:00Z")
	start = resetStart()
	t.Cleanup(func() { start = resetStart() })
	if got := Start(def); !got.Equal(time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("Start = %v", got)
	}
	for _, tc := range []struct{ written, want time.Time }{
		{time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), time.Date(2028, 2, 23, 12, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC), time.Date(2028, 2, 29, 23, 59, 0, 0, time.UTC)}, // last day stays last
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(2028, 3, 31, 23, 59, 0, 0, time.UTC)},
		{time.Date(2026, 12, 30, 8, 0, 0, 0, time.UTC), time.Date(2028, 3, 30, 8, 0, 0, 0, time.UTC)},
		{time.Date(2027, 1, 1, 0, 5, 0, 0, time.UTC), time.Date(2028, 4, 1, 0, 5, 0, 0, time.UTC)},
		{time.Date(2026, 10, 31, 22, 0, 0, 0, time.UTC), time.Date(2028, 1, 31, 22, 0, 0, 0, time.UTC)},
	} {
		if got := Shift(def, tc.written); !got.Equal(tc.want) {
			t.Errorf("Shift(%v) = %v, want %v", tc.written, got, tc.want)
		}
	}
}

func TestStart_UnsetIsTheDefaultAndWallIsTheWallClock(t *testing.T) {
	t.Setenv(StartVariable, "")
	start = resetStart()
	def := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	if !Start(def).Equal(def) || !Shift(def, def.AddDate(0, 1, 0)).Equal(def.AddDate(0, 1, 0)) {
		t.Fatal("unset, Start and Shift must change nothing")
	}
	if d := time.Since(Wall()); d < 0 || d > time.Minute {
		t.Fatalf("Wall is %v from the wall clock", d)
	}
}
