package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/ballotbox"
)

// A keyring exported under a passphrase imports elsewhere whole, refuses a
// wrong passphrase, and the file holds no key in the clear.
func TestKeyring_ExportImportUnderAPassphrase(t *testing.T) {
	from, to := filepath.Join(t.TempDir(), "ring"), filepath.Join(t.TempDir(), "ring")
	key, err := ballotbox.KeyringKEM().GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := key.Bytes()
	encoded := base64.StdEncoding.EncodeToString(raw)
	if _, err := ballotbox.NewKeyring(from).Import([]byte("feedback ballot key v1 2026-11\n" + encoded + "\n")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "keyring.age")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"keyring", "--keyring", from, "export", "--out", out}, strings.NewReader("correct horse\n"), &stdout, &stderr); err != nil {
		t.Fatalf("export: %v %s", err, stderr.String())
	}
	file, _ := os.ReadFile(out)
	if bytes.Contains(file, []byte(encoded)) || bytes.Contains(file, raw) {
		t.Fatal("the export holds the key in the clear")
	}
	if err := run(context.Background(), []string{"keyring", "--keyring", to, "import", out}, strings.NewReader("wrong\n"), &stdout, &stderr); err == nil {
		t.Fatal("a wrong passphrase imported the keyring")
	}
	if err := run(context.Background(), []string{"keyring", "--keyring", to, "import", out}, strings.NewReader("correct horse\n"), &stdout, &stderr); err != nil {
		t.Fatalf("import: %v", err)
	}
	months, _ := ballotbox.NewKeyring(to).Months()
	if len(months) != 1 || months[0] != "2026-11" {
		t.Fatalf("imported months %v", months)
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"keyring", "--keyring", to, "list"}, nil, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "2026-11") {
		t.Fatalf("list: %v %q", err, stdout.String())
	}
}
