package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// feedback runs one command in-process, with stdin, and returns its output.
func feedback(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errs)
	return out.String() + errs.String(), err
}

// surveyPass is the survey side's passphrase in these tests, on stdin.
const surveyPass = "survey-side-passphrase-1\n"

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
	if _, err := feedback(t, "", "backup", "--out", file, "--mongodb-uri", uri); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("a survey backup without a passphrase or recipient: %v", err)
	}
	start := time.Now()
	out := must(t, surveyPass, "backup", "--out", file, "--mongodb-uri", uri)
	took := time.Since(start)
	if !strings.Contains(out, "the survey side, encrypted with age") || !strings.Contains(out, "feedback: ") ||
		!strings.Contains(out, "feedback_invitations: ") || strings.Contains(out, "feedback_intake") || strings.Contains(out, "feedback_staff") ||
		!strings.Contains(out, "open only with the keyring") || !strings.Contains(out, "feedback keyring export") {
		t.Fatalf("backup said:\n%s", out)
	}
	if b, _ := os.ReadFile(file); !bytes.HasPrefix(b, []byte("age-encryption.org/")) {
		t.Fatal("the survey backup is not encrypted")
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	fresh := t.TempDir()
	start = time.Now()
	out = must(t, surveyPass, "restore", file, "--data-dir", fresh)
	t.Logf("%d demo responses: backup %v, restore %v\n%s", n, took, time.Since(start), out)
	if _, err := feedback(t, surveyPass, "restore", file, "--data-dir", fresh); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("a second restore into the same store: %v", err)
	}
	must(t, surveyPass, "restore", "--data-dir", fresh, file, "--force")
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
	if !strings.Contains(out, "the intake side, encrypted with age") || !strings.Contains(out, "feedback_staff: ") || !strings.Contains(out, "feedback_intake: ") ||
		strings.Contains(out, "  feedback: ") || strings.Contains(out, "feedback_invitations") {
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

func TestBackupCommand_ToARecipientRestoresWithItsIdentityFile(t *testing.T) {
	dir := t.TempDir()
	must(t, "", "demo", "--responses", "50", "--data-dir", dir)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "backup.key")
	if err := os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "survey.backup")
	if _, err := feedback(t, "", "backup", "--out", file, "--recipient", "age1nonsense", "--data-dir", dir); err == nil {
		t.Fatal("a backup to a recipient that is not one")
	}
	out := must(t, "", "backup", "--out", file, "--recipient", id.Recipient().String(), "--data-dir", dir)
	if !strings.Contains(out, "encrypted with age to 1 recipient") {
		t.Fatalf("backup said:\n%s", out)
	}
	fresh := t.TempDir()
	if _, err := feedback(t, "", "restore", file, "--data-dir", fresh); err == nil || !strings.Contains(err.Error(), "identity") {
		t.Fatalf("restore without the identity: %v", err)
	}
	must(t, "", "restore", "--identity", keyFile, file, "--data-dir", fresh)
	if out := must(t, "", "counters", "rebuild", "--check", "--data-dir", fresh); !strings.Contains(out, "Counters match") {
		t.Fatalf("counters after a restore:\n%s", out)
	}
}
