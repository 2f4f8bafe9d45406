package main

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// After a crash, serve answers surveys at once however much is stored: it
// repairs nothing at start-up (a release cut short is finished in the
// background). Run against a filled store, e.g.
//
//	go run ./cmd/feedback demo --responses 1000000 --data-dir /tmp/scale
//	FEEDBACK_SCALE_STORE=/tmp/scale go test ./cmd/feedback -run StartupAtScale -v
func TestStartupAtScale_ServesSurveysAtOnceAfterACrash(t *testing.T) {
	dir := os.Getenv("FEEDBACK_SCALE_STORE")
	if dir == "" {
		t.Skip("set FEEDBACK_SCALE_STORE to a filled data directory")
	}
	// What a SIGKILL leaves behind: the marker a clean stop removes.
	if err := os.WriteFile(filepath.Join(dir, "feedback.running"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c := startChild(t, dir)
	ready := time.Since(start)
	resp, err := http.Get(c.base + "/s/counselling")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	served := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("survey page: %d", resp.StatusCode)
	}
	t.Logf("after a crash: ready in %v, first survey page in %v", ready.Round(time.Millisecond), served.Round(time.Millisecond))
	if served > 5*time.Second {
		t.Errorf("the first survey page took %v after a restart", served)
	}
}
