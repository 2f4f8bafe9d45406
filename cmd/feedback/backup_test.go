package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// feedback runs one command in-process, with stdin, and returns its output.
func feedback(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errs)
	return out.String() + errs.String(), err
}

func must(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := feedback(t, stdin, args...)
	if err != nil {
		t.Fatalf("feedback %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestBackupCommand_WhileServingThenRestoreIntoAFreshDataDirectory(t *testing.T) {
	const n = 600
	dir, storeAddr := t.TempDir(), freeAddr(t)
	must(t, "", "demo", "--responses", "600", "--data-dir", dir)
	// While serve runs, its data directory is locked: back up through the store it exposes.
	r := start(t, "serve", "--addr", freeAddr(t), "--data-dir", dir, "--store-addr", storeAddr)
	uri := sharedStoreURI(storeAddr, dir)
	file := filepath.Join(t.TempDir(), "survey.backup")
	start := time.Now()
	out := must(t, "", "backup", "--out", file, "--mongodb-uri", uri)
	took := time.Since(start)
	if !strings.Contains(out, "not encrypted") || !strings.Contains(out, "feedback: ") {
		t.Fatalf("backup said:\n%s", out)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	fresh := t.TempDir()
	start = time.Now()
	out = must(t, "", "restore", file, "--data-dir", fresh)
	t.Logf("%d demo responses: backup %v, restore %v\n%s", n, took, time.Since(start), out)
	if _, err := feedback(t, "", "restore", file, "--data-dir", fresh); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("a second restore into the same store: %v", err)
	}
	must(t, "", "restore", "--data-dir", fresh, file, "--force")
	// The restored store's counters match its responses.
	if out := must(t, "", "counters", "rebuild", "--check", "--data-dir", fresh); !strings.Contains(out, "Counters match") {
		t.Fatalf("counters after a restore:\n%s", out)
	}
}

func TestBackupCommand_IntakeIsEncryptedUnderAPassphraseFromStdin(t *testing.T) {
	dir := t.TempDir()
	must(t, "", "users", "add", "--data-dir", dir, "--email", "lead@example.nhs.uk", "--name", "Lead", "--role", "admin", "--generate")
	file := filepath.Join(t.TempDir(), "all.backup")
	if _, err := feedback(t, "", "backup", "--intake", "--out", file, "--data-dir", dir); err == nil {
		t.Fatal("an intake backup without a passphrase")
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a refused backup left a file")
	}
	out := must(t, "correct-horse-battery\n", "backup", "--intake", "--out", file, "--data-dir", dir)
	if !strings.Contains(out, "encrypted with age") || !strings.Contains(out, "feedback_staff: ") || !strings.Contains(out, "feedback_intake: ") {
		t.Fatalf("backup said:\n%s", out)
	}
	b, _ := os.ReadFile(file)
	if !bytes.HasPrefix(b, []byte("age-encryption.org/")) || bytes.Contains(b, []byte("lead@example")) {
		t.Fatal("the intake backup is not encrypted")
	}
	fresh := t.TempDir()
	if _, err := feedback(t, "wrong-horse-battery\n", "restore", file, "--data-dir", fresh); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("restore with a wrong passphrase: %v", err)
	}
	must(t, "correct-horse-battery\n", "restore", file, "--data-dir", fresh)
	if out := must(t, "", "users", "list", "--data-dir", fresh); !strings.Contains(out, "lead@example.nhs.uk") {
		t.Fatalf("users after a restore:\n%s", out)
	}
}
