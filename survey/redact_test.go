package survey_test

import (
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
	}
	for _, tc := range cases {
		if got := survey.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"call 07700 900123", "a@b.co", "GMC 1234567", "+ 1 2 3", "((((1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := survey.Redact(s)
		if survey.Redact(out) != out {
			t.Fatalf("Redact is not idempotent on %q", s)
		}
	})
}
