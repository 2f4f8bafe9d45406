package survey_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/feedback-service/feedback/survey"
)

func TestLoadEmbedded_EachServiceStartsWithTheFFTQuestionWordForWord(t *testing.T) {
	c, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	var services []string
	for _, d := range c.All() {
		services = append(services, d.Service)
		q := d.Questions[0]
		if q.Prompt != "Overall, how was your experience of our service?" {
			t.Errorf("%s: first question %q", d.Service, q.Prompt)
		}
		var labels []string
		for _, o := range q.Options {
			labels = append(labels, o.Label)
		}
		if got := strings.Join(labels, "|"); got != "Very good|Good|Neither good nor poor|Poor|Very poor|Don't know" {
			t.Errorf("%s: FFT options %s", d.Service, got)
		}
		if d.Questions[1].Kind != survey.Text {
			t.Errorf("%s: second question is %s, want the free-text why", d.Service, d.Questions[1].Kind)
		}
		if s := d.EstimatedSeconds(); s > 120 {
			t.Errorf("%s: estimated %d s", d.Service, s)
		}
		if len(d.Version) != 10 {
			t.Errorf("%s: version %q", d.Service, d.Version)
		}
	}
	if strings.Join(services, ",") != "counselling,peer-support" {
		t.Fatalf("services %v", services)
	}
}

func TestLoadEmbedded_UsesEveryQuestionKind(t *testing.T) {
	c, _ := survey.LoadEmbedded()
	kinds := map[survey.Kind]bool{}
	for _, d := range c.All() {
		for _, q := range d.Questions {
			kinds[q.Kind] = true
		}
	}
	for _, k := range []survey.Kind{survey.Single, survey.Multiple, survey.Scale, survey.Likelihood, survey.YesNo, survey.Text} {
		if !kinds[k] {
			t.Errorf("no embedded survey asks a %s question", k)
		}
	}
}

// validDefinition returns the counselling definition as a generic JSON map to be broken by a test.
func validDefinition(t *testing.T) map[string]any {
	t.Helper()
	raw := `{"service":"counselling","title":"T","intro":"I","questions":[
	 {"id":"fft","short":"Overall","kind":"single","prompt":"Overall, how was your experience of our service?","required":true,
	  "options":[{"value":"very_good","label":"Very good"},{"value":"good","label":"Good"},{"value":"neither","label":"Neither good nor poor"},
	   {"value":"poor","label":"Poor"},{"value":"very_poor","label":"Very poor"},{"value":"dont_know","label":"Don't know"}]},
	 {"id":"why","short":"Why","kind":"text","prompt":"Why?","max_length":500},
	 {"id":"ok","short":"OK","kind":"yesno","prompt":"Was it OK?"}]}`
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func questions(m map[string]any) []any { return m["questions"].([]any) }

func TestParseDefinition_RefusesDefinitionsThatBreakTheRules(t *testing.T) {
	extra := func(i int) map[string]any {
		return map[string]any{"id": "q" + string(rune('a'+i)), "short": "Q", "kind": "yesno", "prompt": "Yes?"}
	}
	cases := []struct {
		name   string
		breakf func(m map[string]any)
		want   string
	}{
		{"FFT not first", func(m map[string]any) {
			q := questions(m)
			q[0], q[2] = q[2], q[0]
		}, "Friends and Family Test"},
		{"FFT reworded", func(m map[string]any) {
			questions(m)[0].(map[string]any)["prompt"] = "How was it?"
		}, "Friends and Family Test"},
		{"FFT option missing", func(m map[string]any) {
			q := questions(m)[0].(map[string]any)
			q["options"] = q["options"].([]any)[:5]
		}, "Friends and Family Test"},
		{"nine questions", func(m map[string]any) {
			for i := 0; i < 6; i++ {
				m["questions"] = append(questions(m), extra(i))
			}
		}, "at most 8"},
		{"five follow-up questions", func(m map[string]any) {
			for i := 0; i < 4; i++ {
				m["questions"] = append(questions(m), extra(i))
			}
		}, "at most 4"},
		{"too long to answer", func(m map[string]any) {
			for i := 0; i < 3; i++ {
				m["questions"] = append(questions(m), map[string]any{"id": "t" + string(rune('a'+i)), "short": "T", "kind": "text", "prompt": "Tell us more", "max_length": 100})
			}
		}, "estimated completion time"},
		{"duplicate id", func(m map[string]any) {
			questions(m)[2].(map[string]any)["id"] = "why"
		}, "appears twice"},
		{"unknown kind", func(m map[string]any) {
			questions(m)[2].(map[string]any)["kind"] = "slider"
		}, "Kind"},
		{"unknown field", func(m map[string]any) { m["colour"] = "red" }, "unknown field"},
		{"yes/no with options", func(m map[string]any) {
			questions(m)[2].(map[string]any)["options"] = []any{map[string]any{"value": "a", "label": "A"}}
		}, "built in"},
		{"text without a limit", func(m map[string]any) {
			delete(questions(m)[1].(map[string]any), "max_length")
		}, "max_length"},
		{"option value with a dot", func(m map[string]any) {
			questions(m)[0].(map[string]any)["options"].([]any)[0].(map[string]any)["value"] = "very.good"
		}, "optionvalue"},
		{"bad question id", func(m map[string]any) {
			questions(m)[2].(map[string]any)["id"] = "$where"
		}, "questionid"},
		{"no title", func(m map[string]any) { delete(m, "title") }, "Title is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := validDefinition(t)
			tc.breakf(m)
			data, _ := json.Marshal(m)
			_, err := survey.ParseDefinition(data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestParseDefinition_AcceptsTheBaseCase(t *testing.T) {
	data, _ := json.Marshal(validDefinition(t))
	d, err := survey.ParseDefinition(data)
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := d.Question("ok"); len(q.Options) != 2 {
		t.Fatalf("yes/no options not filled: %v", q.Options)
	}
}

func TestLoad_NamesTheFileAndRefusesAMismatchedService(t *testing.T) {
	m := validDefinition(t)
	good, _ := json.Marshal(m)
	m["questions"] = questions(m)[1:]
	bad, _ := json.Marshal(m)
	_, err := survey.Load(fstest.MapFS{"defs/counselling.json": {Data: good}, "defs/peer-support.json": {Data: good}}, "defs")
	if err == nil || !strings.Contains(err.Error(), "defs/peer-support.json") || !strings.Contains(err.Error(), "file name") {
		t.Fatalf("err %v, want the file named and the service mismatch", err)
	}
	_, err = survey.Load(fstest.MapFS{"defs/counselling.json": {Data: bad}}, "defs")
	if err == nil || !strings.Contains(err.Error(), "defs/counselling.json") {
		t.Fatalf("err %v, want the file named", err)
	}
}

func TestVersion_ChangesWithWhatIsAskedNotWithLayout(t *testing.T) {
	m := validDefinition(t)
	compact, _ := json.Marshal(m)
	indented, _ := json.MarshalIndent(m, "", "    ")
	a, _ := survey.ParseDefinition(compact)
	b, _ := survey.ParseDefinition(indented)
	if a.Version != b.Version {
		t.Fatalf("whitespace changed the version: %s vs %s", a.Version, b.Version)
	}
	questions(m)[2].(map[string]any)["prompt"] = "Was it all right?"
	reworded, _ := json.Marshal(m)
	c, _ := survey.ParseDefinition(reworded)
	if c.Version == a.Version {
		t.Fatal("rewording a question kept the version")
	}
	qa, _ := a.Question("ok")
	qc, _ := c.Question("ok")
	if qa.Fingerprint == qc.Fingerprint {
		t.Fatal("rewording kept the question's fingerprint")
	}
	fa, _ := a.Question("fft")
	fc, _ := c.Question("fft")
	if fa.Fingerprint != fc.Fingerprint {
		t.Fatal("the unchanged FFT question's fingerprint changed")
	}
}
