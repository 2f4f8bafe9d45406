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

// The Welsh survey text stays one GSM-7 segment (no ŵ, ŷ or â to force
// UCS-2) and links to the Welsh survey page, for every base URL the English
// text fits; so does the invited one.
func TestSurveyText_WelshIsOneGSM7SegmentWithTheWelshLink(t *testing.T) {
	longest := ""
	for n := 1; ; n++ {
		base := "https://" + strings.Repeat("a", n) + ".uk"
		if CheckSurveyText(base) != nil {
			break
		}
		longest = base
	}
	for _, base := range []string{"https://feedback.example.org.uk", longest} {
		for _, service := range []ServiceType{Counselling, PeerSupport} {
			text := SurveyTextIn(base, service, Welsh)
			if !strings.HasSuffix(text, "/s/"+string(service)+"?lang=cy") || !strings.HasPrefix(text, "Diolch") {
				t.Errorf("Welsh text %q", text)
			}
			if n, ok := GSM7Length(text); !ok || n > MaxSegmentSeptets {
				t.Errorf("Welsh text for %s is %d septets (GSM-7 %v)", base, n, ok)
			}
			english := SurveyText(base, service)
			if len(text) >= len(english) {
				t.Errorf("Welsh text longer than the English: %d >= %d", len(text), len(english))
			}
		}
		link := base + "/i/" + strings.Repeat("A", 20)
		if n, ok := GSM7Length(InvitedSurveyTextIn(link, Welsh)); !ok || n > len(InvitedSurveyText(link)) {
			t.Errorf("invited Welsh text %d septets (GSM-7 %v)", n, ok)
		}
	}
	// A character outside GSM-7 would make it UCS-2, 70 characters a segment.
	if _, ok := GSM7Length("Diolch â ni ŵ ŷ"); ok {
		t.Error("â, ŵ and ŷ counted as GSM-7")
	}
}

func TestOutbox_SendsTheWelshTextToACallerWhoChoseWelsh(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, nil)
	n := counsellingCaller()
	n.Language = "cy"
	o, _ := openAndClose(t, s, n)
	if o.Contact.Language != Welsh {
		t.Fatalf("language %q", o.Contact.Language)
	}
	if res := process(t, ob); res.Sent != 1 || sender.sent[0].text != SurveyTextIn(testBaseURL, Counselling, Welsh) {
		t.Fatalf("sent %+v", sender.sent)
	}
}
