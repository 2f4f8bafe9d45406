package main

import (
	"strings"
	"testing"
)

func TestCheckSMSLogAllowed_RefusesTheLogSenderOnHTTPSUnlessAllowed(t *testing.T) {
	for _, tc := range []struct {
		sender, baseURL string
		allowed         bool
		wantErr         string
	}{
		{senderLog, "http://127.0.0.1:8080", false, ""},
		{senderLog, "https://feedback.example.org", false, "FEEDBACK_SMS_LOG_ALLOWED"},
		{senderLog, "https://feedback.example.org", true, ""},
		{senderNotify, "https://feedback.example.org", false, ""},
	} {
		err := checkSMSLogAllowed(tc.sender, tc.baseURL, tc.allowed)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s on %s (allowed %v): %v, want %q", tc.sender, tc.baseURL, tc.allowed, err, tc.wantErr)
		}
	}
}
