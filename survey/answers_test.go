package survey_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/survey"
)

func counselling(t testing.TB) *survey.Definition {
	t.Helper()
	c, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Get("counselling")
	return d
}

func TestParseForm_AcceptsACompleteAnswer(t *testing.T) {
	d := counselling(t)
	answers, ve := d.ParseForm(url.Values{
		"nonce": {"n"}, "website": {""},
		"fft": {"good"}, "fft_why": {"Kind and quick.\r\nThank you"}, "ease": {"easy"},
		"listened": {"yes"}, "recommend": {"10"}, "helped": {"work", "wellbeing"},
	})
	if ve != nil {
		t.Fatal(ve)
	}
	if answers["fft"].Choice != "good" || answers["recommend"].Number != 10 ||
		strings.Join(answers["helped"].Choices, ",") != "work,wellbeing" || answers["fft_why"].Text != "Kind and quick.\nThank you" {
		t.Fatalf("answers %+v", answers)
	}
}

func TestParseForm_OnlyTheFFTQuestionIsRequired(t *testing.T) {
	d := counselling(t)
	if _, ve := d.ParseForm(url.Values{"fft": {"dont_know"}, "fft_why": {"   "}, "ease": {""}}); ve != nil {
		t.Fatal(ve)
	}
}

func TestParseForm_MarksEveryBrokenRule(t *testing.T) {
	d := counselling(t)
	long := strings.Repeat("é", 1001)
	cases := []struct {
		name     string
		form     url.Values
		question string
		want     string
	}{
		{"FFT missing", url.Values{"ease": {"easy"}}, "fft", "Select an answer"},
		{"unknown option", url.Values{"fft": {"superb"}}, "fft", "Choose one of the options"},
		{"single choice sent twice", url.Values{"fft": {"good", "poor"}}, "fft", "one answer only"},
		{"likelihood above 10", url.Values{"fft": {"good"}, "recommend": {"11"}}, "recommend", "0 to 10"},
		{"likelihood negative", url.Values{"fft": {"good"}, "recommend": {"-1"}}, "recommend", "0 to 10"},
		{"likelihood padded", url.Values{"fft": {"good"}, "recommend": {"05"}}, "recommend", "0 to 10"},
		{"likelihood not a number", url.Values{"fft": {"good"}, "recommend": {"ten"}}, "recommend", "0 to 10"},
		{"likelihood huge", url.Values{"fft": {"good"}, "recommend": {"99999999999999999999999"}}, "recommend", "0 to 10"},
		{"text too long", url.Values{"fft": {"good"}, "fft_why": {long}}, "fft_why", "1,000 characters or fewer"},
		{"text with NUL", url.Values{"fft": {"good"}, "fft_why": {"a\x00b"}}, "fft_why", "cannot read"},
		{"text invalid UTF-8", url.Values{"fft": {"good"}, "fft_why": {"a\xffb"}}, "fft_why", "cannot read"},
		{"multiple repeated", url.Values{"fft": {"good"}, "helped": {"work", "work"}}, "helped", "each once"},
		{"multiple unknown", url.Values{"fft": {"good"}, "helped": {"pigeon"}}, "helped", "options shown"},
		{"yes/no other", url.Values{"fft": {"good"}, "listened": {"maybe"}}, "listened", "options shown"},
		{"honeypot filled", url.Values{"fft": {"good"}, "website": {"http://spam"}}, "website", "empty"},
		{"field the form never offers", url.Values{"fft": {"good"}, "$where": {"1"}}, "", "does not ask for"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ve := d.ParseForm(tc.form)
			if ve == nil {
				t.Fatal("accepted")
			}
			msg := ve.For(tc.question)
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("error for %q is %q, want %q (all: %v)", tc.question, msg, tc.want, ve)
			}
		})
	}
}

func TestParseForm_TextAtTheLimitCountsCharactersNotBytesOrCRLF(t *testing.T) {
	d := counselling(t)
	text := strings.Repeat("é", 500) + strings.Repeat("\r\n", 500)
	if _, ve := d.ParseForm(url.Values{"fft": {"good"}, "fft_why": {"x" + text[:len(text)-2]}}); ve != nil {
		t.Fatal(ve)
	}
}

func TestParseJSON_AcceptsAValidBody(t *testing.T) {
	d := counselling(t)
	nonce, answers, ve := d.ParseJSON([]byte(`{"nonce":"abc","answers":{"fft":"very_good","recommend":7,"helped":["relationships"],"fft_why":null,"listened":"no"}}`))
	if ve != nil {
		t.Fatal(ve)
	}
	if nonce != "abc" || answers["recommend"].Number != 7 || answers["helped"].Choices[0] != "relationships" || len(answers) != 4 {
		t.Fatalf("nonce %q answers %+v", nonce, answers)
	}
}

func TestParseJSON_RejectsHostileAndMalformedBodies(t *testing.T) {
	d := counselling(t)
	deep := `{"nonce":"a","answers":{"fft":` + strings.Repeat("[", 50) + strings.Repeat("]", 50) + `}}`
	cases := []struct{ name, body, want string }{
		{"unknown top-level field", `{"nonce":"a","answers":{"fft":"good"},"ip":"1.2.3.4"}`, "unknown field"},
		{"operator key at top", `{"$set":{"n":1},"nonce":"a","answers":{"fft":"good"}}`, "may not start with $"},
		{"operator in an answer", `{"nonce":"a","answers":{"fft":{"$ne":"x"}}}`, "may not start with $"},
		{"operator as question", `{"nonce":"a","answers":{"$where":"1"}}`, "may not start with $"},
		{"prototype pollution key", `{"nonce":"a","answers":{"__proto__":{"x":1},"fft":"good"}}`, "no question"},
		{"constructor key", `{"nonce":"a","answers":{"constructor":"x","fft":"good"}}`, "no question"},
		{"answer to no question", `{"nonce":"a","answers":{"fft":"good","mood":"ok"}}`, "no question"},
		{"wrong type for choice", `{"nonce":"a","answers":{"fft":1}}`, "string"},
		{"float likelihood", `{"nonce":"a","answers":{"fft":"good","recommend":9.5}}`, "whole number"},
		{"huge likelihood", `{"nonce":"a","answers":{"fft":"good","recommend":1e400}}`, "whole number"},
		{"likelihood out of range", `{"nonce":"a","answers":{"fft":"good","recommend":-3}}`, "0 to 10"},
		{"string likelihood", `{"nonce":"a","answers":{"fft":"good","recommend":"9"}}`, "whole number"},
		{"multiple as string", `{"nonce":"a","answers":{"fft":"good","helped":"work"}}`, "list"},
		{"text too long", `{"nonce":"a","answers":{"fft":"good","fft_why":"` + strings.Repeat("x", 1001) + `"}}`, "1,000 characters"},
		{"duplicated key", `{"nonce":"a","answers":{"fft":"good","fft":"poor"}}`, "more than once"},
		{"duplicated nonce", `{"nonce":"a","nonce":"b","answers":{"fft":"good"}}`, "more than once"},
		{"deep nesting", deep, "nested"},
		{"invalid UTF-8", "{\"nonce\":\"a\",\"answers\":{\"fft\":\"good\",\"fft_why\":\"\xff\"}}", "UTF-8"},
		{"NUL in text", `{"nonce":"a","answers":{"fft":"good","fft_why":"a\u0000b"}}`, "cannot read"},
		{"not JSON", `nonce=a&fft=good`, "not valid JSON"},
		{"empty", ``, "not a valid submission"},
		{"array body", `[{"nonce":"a"}]`, "not a valid submission"},
		{"two objects", `{"nonce":"a","answers":{"fft":"good"}}{"nonce":"b","answers":{"fft":"good"}}`, "one JSON object"},
		{"no nonce", `{"answers":{"fft":"good"}}`, "needs a nonce"},
		{"no answers", `{"nonce":"a"}`, "needs a nonce"},
		{"FFT missing", `{"nonce":"a","answers":{"ease":"easy"}}`, "Select an answer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, ve := d.ParseJSON([]byte(tc.body))
			if ve == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(ve.Error(), tc.want) {
				t.Fatalf("error %q, want %q", ve.Error(), tc.want)
			}
		})
	}
}

func TestParseJSON_RedactsFreeText(t *testing.T) {
	d := counselling(t)
	_, answers, ve := d.ParseJSON([]byte(`{"nonce":"a","answers":{"fft":"good","fft_why":"  mail me at dr.who@nhs.net  "}}`))
	if ve != nil {
		t.Fatal(ve)
	}
	if got := answers["fft_why"].Text; got != "mail me at [email removed]" {
		t.Fatalf("text %q", got)
	}
}
