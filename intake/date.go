package intake

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDate reads a date given as day, month and year boxes (the GOV.UK date
// input) and returns it as YYYY-MM-DD, or a message for the handler naming
// what is wrong, in the words the date-input pattern uses.
func ParseDate(day, month, year, what string) (string, string) {
	day, month, year = strings.TrimSpace(day), strings.TrimSpace(month), strings.TrimSpace(year)
	switch {
	case day == "" && month == "" && year == "":
		return "", "Enter " + what
	case day == "":
		return "", what + " must include a day"
	case month == "":
		return "", what + " must include a month"
	case year == "":
		return "", what + " must include a year"
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || len(year) != 4 {
		return "", what + " must be a real date, with a 4-digit year"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return "", what + " must be a real date"
	}
	return t.Format(time.DateOnly), ""
}

// SplitDate is a YYYY-MM-DD date as the day, month and year boxes show it.
func SplitDate(date string) (day, month, year string) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return "", "", ""
	}
	return fmt.Sprint(t.Day()), fmt.Sprint(int(t.Month())), fmt.Sprint(t.Year())
}
