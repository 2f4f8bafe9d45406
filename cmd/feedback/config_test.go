package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/web"
)

func TestConfig_ValidateChecksWithoutFillingIn(t *testing.T) {
	cfg, err := parseConfig("t", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	before := *cfg
	if err := cfg.validate(); err != nil || !reflect.DeepEqual(before, *cfg) {
		t.Fatalf("validate of a good config: %v, changed %+v to %+v", err, before, *cfg)
	}
	cfg.BaseURL = ""
	if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "FEEDBACK_BASE_URL") || cfg.BaseURL != "" {
		t.Fatalf("validate without a base URL: %v, base URL now %q", err, cfg.BaseURL)
	}
}

func TestConfig_EachDefaultParsesAndABadValueNamesItsSetting(t *testing.T) {
	for _, s := range new(Config).settings() {
		if err := s.set(s.def); err != nil {
			t.Errorf("--%s: default %q does not parse: %v", s.flag, s.def, err)
		}
	}
	_, err := parseConfig("t", []string{"--session-idle", "soon"}, func(string) string { return "" }, io.Discard)
	if err == nil || err.Error() != `FEEDBACK_SESSION_IDLE / --session-idle: "soon" is not a duration like 30m` {
		t.Fatalf("bad duration: %v", err)
	}
}

func TestConfig_SafeguardingGuidanceIsPlainTextOfAReadableLength(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "FEEDBACK_SAFEGUARDING_GUIDANCE" {
				return v
			}
			return ""
		}
	}
	cfg, err := parseConfig("t", nil, env(`Call Sam Patel, our safeguarding lead, on 0330 000 0000.\n\nFollow policy SG-4.`), io.Discard)
	if err != nil || cfg.SafeguardingGuidance != "Call Sam Patel, our safeguarding lead, on 0330 000 0000.\n\nFollow policy SG-4." {
		t.Fatalf("guidance %q, %v", cfg.SafeguardingGuidance, err)
	}
	_, err = parseConfig("t", nil, env(strings.Repeat("a", 2001)), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "FEEDBACK_SAFEGUARDING_GUIDANCE / --safeguarding-guidance") {
		t.Fatalf("guidance too long: %v", err)
	}
}

// The per-sender limits come from their settings; a zero in either turns
// them off rather than falling back to the defaults.
func TestConfig_SubmissionLimits(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cfg, err := parseConfig("t", []string{"--submissions-per-minute", "2"}, env(nil), io.Discard)
	if err != nil || submissionLimits(cfg) != (web.SubmissionLimits{PerMinute: 2, PerHour: 20}) {
		t.Fatalf("2 a minute: %+v %v", cfg, err)
	}
	cfg, err = parseConfig("t", nil, env(map[string]string{"FEEDBACK_SUBMISSIONS_PER_HOUR": "0"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if l := web.NewSubmissionLimiter(submissionLimits(cfg), time.Now); l != nil {
		t.Fatalf("0 an hour made a limiter: %+v", submissionLimits(cfg))
	}
	if _, err := parseConfig("t", []string{"--submissions-per-minute", "-3"}, env(nil), io.Discard); err == nil {
		t.Fatal("a negative limit was accepted")
	}
}
