package survey_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/survey"
)

func TestRedact_RemovesContactDetailsAndReferenceNumbers(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Email me: jane.doe+help@example.co.uk please", "Email me: [email removed] please"},
		{"call 07700 900123 anytime", "call [phone number removed] anytime"},
		{"call +44 (0)20 7946 0958.", "call [phone number removed]."},
		{"mob: 07700-900-123", "mob: [phone number removed]"},
		{"My GMC number is 1234567", "My GMC number is [number removed]"},
		{"NHS no 485 777 3456", "NHS no [phone number removed]"},
		{"I had 6 sessions in 2025, 2 of them by video", "I had 6 sessions in 2025, 2 of them by video"},
		{"Rated 10/10, waited 3-4 days", "Rated 10/10, waited 3-4 days"},
		{"no digits at all", "no digits at all"},
		{"", ""},
		{"+", "+"},
		{"ends with 12345678", "ends with [number removed]"},
		// As people write them, to a phone or past a filter.
		{"ring ０７７００９００１２３", "ring [phone number removed]"},
		{"07700/900/123", "[phone number removed]"},
		{"07700,900,123", "[phone number removed]"},
		{"07700    900    123", "[phone number removed]"},
		{"٠٧٧٠٠٩٠٠١٢٣ please", "[phone number removed] please"},
		{"GMC १२३४५६७", "GMC [number removed]"},
		{"jane(at)nhs.net", "[email removed]"},
		{"write to jane [at] nhs [dot] net ok", "write to [email removed] ok"},
		{"jane＠nhs.net", "[email removed]"},
		{"jane @ nhs.net", "[email removed]"},
		{"ｊａｎｅ＠ｎｈｓ．ｎｅｔ", "[email removed]"},
		// Bidirectional controls go, so no comment can reorder what follows it.
		{"good\u202eevil\u202c service", "goodevil service"},
		{"a\u2066b\u2069c\u200f", "abc"},
		// What must stay.
		{"Rated 10/10, waited 3-4 days, 2 or 3 times", "Rated 10/10, waited 3-4 days, 2 or 3 times"},
		{"Café at 9, naïve", "Café at 9, naïve"},
		{"I was at (the) clinic.", "I was at (the) clinic."},
	}
	for _, tc := range cases {
		if got := survey.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"call 07700 900123", "a@b.co", "GMC 1234567", "+ 1 2 3", "((((1",
		"０７７００９００１２３", "07700/900,123", "٠٧٧٠٠", "jane(at)nhs.net", "jane＠nhs.net", "x\u202ey", "１２３４５６７"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := survey.Redact(s)
		if survey.Redact(out) != out {
			t.Fatalf("Redact is not idempotent on %q", s)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) }) {
			t.Fatalf("Redact(%q) kept a bidirectional control", s)
		}
		// No run of ten digits survives, however it was written.
		if longRun.MatchString(out) {
			t.Fatalf("Redact(%q) = %q keeps a long number", s, out)
		}
	})
}

// longRun is ten digits in a row: a phone number Redact must not let through.
var longRun = regexp.MustCompile(`[0-9]{10}`)
