package main

import (
	"strings"
	"testing"
)

// demo --people records intake people for measuring at scale, once: a second
// run on the same store is refused rather than doubling everyone.
func TestDemoCommand_PeopleFillIntakeOnceAndAreBackedUpWithIntake(t *testing.T) {
	dir := t.TempDir()
	out := must(t, "", "demo", "--responses", "0", "--people", "50", "--data-dir", dir)
	if !strings.Contains(out, "Recorded 50 people") || !strings.Contains(out, "Added 2 active demo practitioners") {
		t.Fatalf("demo said:\n%s", out)
	}
	if out, err := feedback(t, "", "demo", "--responses", "0", "--people", "50", "--data-dir", dir); err == nil || !strings.Contains(out+err.Error(), "empty intake database") {
		t.Fatalf("a second fill was not refused: %v\n%s", err, out)
	}
	file := t.TempDir() + "/all.backup"
	out = must(t, "correct-horse-battery\n", "backup", "--intake", "--out", file, "--data-dir", dir)
	if !strings.Contains(out, "feedback_intake: ") || strings.Contains(out, "feedback_intake: 0 collections") {
		t.Fatalf("backup said:\n%s", out)
	}
}
