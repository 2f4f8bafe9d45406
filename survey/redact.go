package survey

import (
	"regexp"
	"strings"
)

// Markers put in place of what Redact removes.
const (
	EmailMarker  = "[email removed]"
	PhoneMarker  = "[phone number removed]"
	NumberMarker = "[number removed]"
)

var emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// Redact removes from free text what could identify its writer: e-mail
// addresses, phone numbers (10 or more digits, however spaced) and other long
// numbers such as a 7-digit GMC reference number (7 to 9 digits).
func Redact(text string) string {
	text = emailRe.ReplaceAllString(text, EmailMarker)
	if !strings.ContainsAny(text, "0123456789") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		end, digits := numberRun(text, i)
		switch {
		case digits >= 10:
			b.WriteString(PhoneMarker)
			i = end
		case digits >= 7:
			b.WriteString(NumberMarker)
			i = end
		case end > i:
			b.WriteString(text[i:end])
			i = end
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String()
}

// numberRun measures a run of digits starting at i, allowing the separators
// people type inside phone numbers, and an optional leading "+". It returns the
// end of the run (i when there is none) and how many digits it holds.
func numberRun(s string, i int) (end, digits int) {
	start := i
	if i < len(s) && s[i] == '+' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) || (start > 0 && isDigit(s[start-1])) {
		return start, 0
	}
	end = i
	for i < len(s) {
		switch {
		case isDigit(s[i]):
			digits++
			i++
			end = i
		case strings.IndexByte(" -.()", s[i]) >= 0 && i+1 < len(s) && (isDigit(s[i+1]) || strings.IndexByte(" -.()", s[i+1]) >= 0):
			// a separator counts only when more digits follow it
			j := i
			for j < len(s) && strings.IndexByte(" -.()", s[j]) >= 0 && j-i < 3 {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				i = j
				continue
			}
			return end, digits
		default:
			return end, digits
		}
	}
	return end, digits
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
