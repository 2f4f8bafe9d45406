package intake

import (
	"strings"
	"testing"
)

func TestSurveyText_IsOneGSM7SegmentWithOnlyTheLink(t *testing.T) {
	for _, service := range []ServiceType{Counselling, PeerSupport} {
		text := SurveyText("https://feedback.example.org.uk/", service)
		want := "Thank you for contacting us. Please tell us how it went in a short anonymous survey: https://feedback.example.org.uk/s/" + string(service)
		if text != want {
			t.Fatalf("text %q\nwant %q", text, want)
		}
		if n, ok := GSM7Length(text); !ok || n > MaxSegmentSeptets {
			t.Fatalf("%s text is %d septets (GSM-7 %v), want one segment", service, n, ok)
		}
	}
}

func TestSurveyText_CarriesNothingAboutThePersonOrContact(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr Ada Lovelace", Counsellor, 10, true)
	n := counsellingCaller()
	n.Email, n.Postcode = "alex@example.org", "LS1 4AP"
	o := mustOpen(t, s, n)
	text := SurveyText("https://feedback.example.org.uk", o.Contact.Service)
	for _, v := range []string{o.Person.ID, o.Contact.ID, "Alex", "Morgan", "1985", "7700", "900123", "alex@", "LS1", "Elsewhere", "Ada", "Lovelace", o.Routing.Practitioner.ID} {
		if strings.Contains(text, v) {
			t.Errorf("survey text %q contains %q", text, v)
		}
	}
}

func TestGSM7Length(t *testing.T) {
	tests := []struct {
		text string
		n    int
		ok   bool
	}{
		{"hello", 5, true},
		{"£5 @ café", 9, true}, // é is in the basic table
		{"{x}", 5, true},       // braces take two septets each
		{"€10 [a] ~ | ^ \\", 22, true},
		{"naïve", 0, false}, // ï is not GSM-7
		{"it’s", 0, false},  // a curly apostrophe forces UCS-2
		{"emoji 🙂", 0, false},
	}
	for _, tt := range tests {
		n, ok := GSM7Length(tt.text)
		if ok != tt.ok || (ok && n != tt.n) {
			t.Errorf("GSM7Length(%q) = %d, %v; want %d, %v", tt.text, n, ok, tt.n, tt.ok)
		}
	}
}

func TestCheckSurveyText(t *testing.T) {
	tests := []struct {
		baseURL string
		ok      bool
	}{
		{"https://feedback.example.org.uk", true},
		{"http://localhost:8080", true},
		{"https://" + strings.Repeat("a", 49) + ".uk", true},    // 60 characters: the longest that fits
		{"https://" + strings.Repeat("a", 50) + ".uk", false},   // one too many
		{"https://" + strings.Repeat("a", 47) + ".uk/a", true},  // 60 characters
		{"https://" + strings.Repeat("a", 47) + ".uk/~", false}, // 60 characters, but ~ takes two septets
		{"feedback.example.org.uk", false},                      // not absolute
		{"https://feedback.example.org.uk/?q=1", false},         // a query would end up before /s/
		{"https://fëedback.example.org.uk", false},              // ë is not GSM-7
	}
	for _, tt := range tests {
		err := CheckSurveyText(tt.baseURL)
		if (err == nil) != tt.ok {
			t.Errorf("CheckSurveyText(%q) = %v, want ok %v", tt.baseURL, err, tt.ok)
		}
	}
}
