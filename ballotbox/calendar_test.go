package ballotbox_test

import (
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/survey"
)

// The box tests were written for a box of October 2026 released in November:
// onCalendar moves a time they name to the same place in the month (and the
// months after) FEEDBACK_TEST_NOW starts in (clocktest.Shift); unset, it is
// that time. Tests that only need "now" start at clocktest.NewAt instead.
func onCalendar(t time.Time) time.Time { return clocktest.Shift(calendarWritten, t) }

// monthOn is the month (survey.MonthLayout) a test names as y-m, on the same calendar.
func monthOn(y int, m time.Month) string {
	return survey.Month(onCalendar(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)))
}

// calendarWritten is the month the box tests were written in.
var calendarWritten = time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
