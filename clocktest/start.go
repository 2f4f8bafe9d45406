package clocktest

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// StartVariable names the environment variable that says where every test
// clock starts (RFC 3339, e.g. 2026-12-31T23:59:30Z), so the whole suite can
// be run "on" another day: CI runs the calendar's edges with it.
const StartVariable = "FEEDBACK_TEST_NOW"

// start is FEEDBACK_TEST_NOW parsed once, and when this process read it.
var start = resetStart()

func resetStart() func() (time.Time, time.Time) {
	return sync.OnceValues(readStart)
}

func readStart() (time.Time, time.Time) {
	v := os.Getenv(StartVariable)
	if v == "" {
		return time.Time{}, time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic(fmt.Sprintf("clocktest: %s=%q is not an RFC 3339 time: %v", StartVariable, v, err))
	}
	return t, time.Now()
}

// Start is where a test clock starts: def, or FEEDBACK_TEST_NOW when set (in
// def's location). Every test that builds a fixed "now" starts from it.
func Start(def time.Time) time.Time {
	if t, _ := start(); !t.IsZero() {
		return t.In(def.Location())
	}
	return def
}

// NewAt returns a clock stopped at Start(def).
func NewAt(def time.Time) *Clock { return New(Start(def)) }

// Wall is the running clock of tests that do not stop time: the wall clock,
// or, with FEEDBACK_TEST_NOW set, one that started there when the tests
// started and runs on at the wall clock's pace.
func Wall() time.Time {
	t, read := start()
	if t.IsZero() {
		return time.Now()
	}
	return t.Add(time.Since(read))
}

// Shift moves t, a time written for a clock that starts at def, on by the
// whole months from def's month to Start(def)'s, so a test that needs a
// particular place in the calendar (a month's last minute, the day after)
// finds it wherever FEEDBACK_TEST_NOW starts: the same day of the month (a
// month's last day stays the last; a day the month lacks becomes its last),
// the same time of day. Unset, it is t.
func Shift(def, t time.Time) time.Time {
	s := Start(def)
	months := (s.Year()-def.Year())*12 + int(s.Month()) - int(def.Month())
	if months == 0 {
		return t
	}
	y, m, d := t.Date()
	target := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, t.Location())
	if last := lastDay(target); d == lastDay(t) || d > last {
		d = last
	}
	return time.Date(target.Year(), target.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// lastDay is the number of the last day of t's month.
func lastDay(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, t.Location()).Day()
}
