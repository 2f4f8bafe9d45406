package main

import (
	"io"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/intake"
)

// INTAKE_NOTIFY_EMAIL_TEMPLATE_ID turns on survey invitations by e-mail: through
// Notify, which needs its API key, or dropped by the log sender in development.
func TestConfig_EmailTemplateIsCheckedAtStartUp(t *testing.T) {
	const secret = "s3cret-value-never-shown"
	notifyKey := "test-key-" + "26785a09-ab16-4eb0-8407-a37497a57506" + "-" + "3d844edf-8d35-48ac-975b-e847b4f122b0"
	twilio := map[string]string{"FEEDBACK_SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+447700900000"}
	with := func(extra map[string]string) func(string) string {
		return func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return twilio[k]
		}
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string // "" for accepted
	}{
		"no key":    {map[string]string{"INTAKE_NOTIFY_EMAIL_TEMPLATE_ID": "e"}, "NOTIFY_API_KEY"},
		"bad key":   {map[string]string{"INTAKE_NOTIFY_EMAIL_TEMPLATE_ID": "e", "NOTIFY_API_KEY": secret}, "NOTIFY_API_KEY"},
		"good key":  {map[string]string{"INTAKE_NOTIFY_EMAIL_TEMPLATE_ID": "e", "NOTIFY_API_KEY": notifyKey}, ""},
		"off":       {map[string]string{}, ""},
		"log":       {map[string]string{"FEEDBACK_SMS_SENDER": "log", "INTAKE_NOTIFY_EMAIL_TEMPLATE_ID": "e"}, ""},
		"key, none": {map[string]string{"NOTIFY_API_KEY": notifyKey}, ""},
	} {
		_, err := parseConfig("t", nil, with(tc.env), io.Discard)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: err %v, want one naming %s without the secret", name, err, tc.want)
		}
	}
	cfg, _ := parseConfig("t", nil, with(map[string]string{"INTAKE_NOTIFY_EMAIL_TEMPLATE_ID": "e", "NOTIFY_API_KEY": notifyKey}), io.Discard)
	if s, err := cfg.Intake.emailSender(); err != nil || s.(*intake.NotifyEmailSender).TemplateID != "e" {
		t.Fatalf("e-mail sender %T %v, want Notify with template e", s, err)
	}
}
