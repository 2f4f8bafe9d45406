package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
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
