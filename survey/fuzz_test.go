package survey_test

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/feedback-service/feedback/survey"
)

// FuzzParseJSON feeds arbitrary bodies to the JSON submission decoder: it must
// never panic, and whatever it accepts must satisfy every rule.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"nonce":"a","answers":{"fft":"good","recommend":9,"helped":["work"],"fft_why":"ok"}}`,
		`{"nonce":"a","answers":{"fft":{"$ne":1}}}`,
		`{"nonce":"a","answers":{"fft":"good","fft":"poor"}}`,
		`{"nonce":"a","answers":{"recommend":1e400}}`,
		`[[[[[[[[[[]]]]]]]]]]`, `{"nonce":"\u0000"}`, "{\"nonce\":\"\xff\"}", ``, `null`,
	} {
		f.Add([]byte(s))
	}
	d := counselling(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, answers, ve := d.ParseJSON(body)
		if ve == nil {
			checkAccepted(t, d, answers)
		}
	})
}

// FuzzParseForm feeds arbitrary form bodies to the form parser.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"nonce=a&fft=good&fft_why=hi&recommend=10&helped=work&helped=wellbeing",
		"fft=good&fft=poor", "fft[$ne]=1", "recommend=-0&fft=good", "fft_why=%00&fft=good", "website=x&fft=good",
	} {
		f.Add(s)
	}
	d := counselling(f)
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		answers, ve := d.ParseForm(form)
		if ve == nil {
			checkAccepted(t, d, answers)
		}
	})
}

// checkAccepted asserts that accepted answers keep every rule.
func checkAccepted(t *testing.T, d *survey.Definition, answers survey.Answers) {
	t.Helper()
	if _, ok := answers["fft"]; !ok {
		t.Fatal("accepted without the required FFT answer")
	}
	for id, a := range answers {
		q, ok := d.Question(id)
		if !ok {
			t.Fatalf("accepted an answer to no question: %q", id)
		}
		switch q.Kind {
		case survey.Text:
			if !utf8.ValidString(a.Text) || utf8.RuneCountInString(a.Text) > q.MaxLength || strings.ContainsRune(a.Text, 0) {
				t.Fatalf("accepted bad text %q", a.Text)
			}
		case survey.Likelihood:
			if a.Number < 0 || a.Number > 10 {
				t.Fatalf("accepted %d", a.Number)
			}
		case survey.Multiple:
			for _, c := range a.Choices {
				if !q.HasOption(c) {
					t.Fatalf("accepted option %q", c)
				}
			}
		default:
			if !q.HasOption(a.Choice) {
				t.Fatalf("accepted option %q for %s", a.Choice, id)
			}
		}
	}
}

// FuzzParseDefinition feeds arbitrary files to the definition loader: it must
// never panic, and whatever it accepts keeps the survey rules.
func FuzzParseDefinition(f *testing.F) {
	for _, name := range []string{"definitions/counselling.json", "definitions/peer-support.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"service":"x"}`))
	f.Add([]byte(`{"questions":[{"kind":"likelihood"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := survey.ParseDefinition(data)
		if err != nil {
			return
		}
		if len(d.Questions) > survey.MaxQuestions || d.Questions[0].Prompt != survey.FFTPrompt || d.EstimatedSeconds() > survey.MaxSeconds {
			t.Fatalf("accepted a definition that breaks the rules: %s", data)
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatal(err)
		}
	})
}
