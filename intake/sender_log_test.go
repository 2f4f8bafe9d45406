package intake

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogSender_WritesNoLinePerTextOnlyACountPerRun(t *testing.T) {
	s, _ := newTestStore(t)
	s.PeerSurveyAfter = 0 // peer-support texts go when the contact closes
	addPractitioner(t, s, "Dr A", Counsellor, 5, true)
	addPractitioner(t, s, "Dr P", PeerSupporter, 5, true)
	openAndClose(t, s, counsellingCaller())
	openAndClose(t, s, peerCaller())
	var logs bytes.Buffer
	o := newTestOutbox(t, s, LogSender{}, nil)
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	o.Processed = func(Processed) { cancel() } // one run only
	o.Run(ctx)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "sent=2") {
		t.Fatalf("log lines %q, want one count for the run", lines)
	}
	for _, never := range []string{"900123", "900456", "/s/", "counselling", "peer-support", "text="} {
		if strings.Contains(logs.String(), never) {
			t.Errorf("the log mentions %q:\n%s", never, logs.String())
		}
	}
}

func TestCheckLogSender_RefusesHTTPSUnlessAllowed(t *testing.T) {
	for _, tc := range []struct {
		baseURL string
		allowed bool
		ok      bool
	}{
		{"http://127.0.0.1:8080", false, true},
		{"https://feedback.example.org", false, false},
		{"https://feedback.example.org", true, true},
	} {
		err := CheckLogSender(tc.baseURL, tc.allowed)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrLogSenderInProduction)) {
			t.Errorf("CheckLogSender(%q, %v) = %v, want ok %v", tc.baseURL, tc.allowed, err, tc.ok)
		}
	}
}
