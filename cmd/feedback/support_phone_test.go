package main

import (
	"io"
	"strings"
	"testing"
)

func TestConfig_ProductionRefusesToStartWithoutASupportPhone(t *testing.T) {
	env := map[string]string{"FEEDBACK_BASE_URL": "https://feedback.example.org", "FEEDBACK_SMS_SENDER": "log", "FEEDBACK_SMS_LOG_ALLOWED": "true"}
	getenv := func(k string) string { return env[k] }
	_, err := parseConfig("t", nil, getenv, io.Discard)
	if err == nil || !strings.HasPrefix(err.Error(), "FEEDBACK_SUPPORT_PHONE / --support-phone: required on an https:// base URL") {
		t.Fatalf("https without a support phone: %v", err)
	}
	env["FEEDBACK_SUPPORT_PHONE"] = "0330 123 4567"
	env["FEEDBACK_OFFICE_EMAIL"] = "office@example.org"
	cfg, err := parseConfig("t", nil, getenv, io.Discard)
	if err != nil || cfg.OfficeEmail != "office@example.org" {
		t.Fatalf("with a support phone: %v %+v", err, cfg)
	}
	// A local http:// run may leave it unset: the pages show the national lines.
	if _, err := parseConfig("t", nil, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
}
