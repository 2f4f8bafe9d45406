package survey_test

import (
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/survey"
)

// monthsWritten is where the tests that file data by month were written
// (November 2026); FEEDBACK_TEST_NOW moves them (clocktest.Start).
var monthsWritten = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// thisMonth is the month of the tests' clock's start.
func thisMonth() string { return survey.Month(clocktest.Start(monthsWritten)) }

// lastMonth is the month before thisMonth.
func lastMonth() string {
	s := clocktest.Start(monthsWritten).UTC()
	return survey.Month(time.Date(s.Year(), s.Month()-1, 1, 0, 0, 0, 0, time.UTC))
}
