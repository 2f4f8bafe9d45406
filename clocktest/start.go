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
var start = sync.OnceValues(func() (time.Time, time.Time) {
	v := os.Getenv(StartVariable)
	if v == "" {
		return time.Time{}, time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic(fmt.Sprintf("clocktest: %s=%q is not an RFC 3339 time: %v", StartVariable, v, err))
	}
	return t, time.Now()
})

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
