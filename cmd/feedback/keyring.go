package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/feedback-service/feedback/ballotbox"
)

const keyringUsage = `feedback keyring: the private keys of the months whose ballots are still sealed.

Usage:
  feedback keyring list                 the months the keyring holds keys of
  feedback keyring export --out FILE    every key, encrypted (age) under a passphrase read from stdin
  feedback keyring import FILE          add the keys of an export (passphrase from stdin)

The keyring is never in the database or a backup: a backup's unreleased months
open only with the keyring of the backup's time. Export it when you take a
backup, keep the two apart, and import it where you restore. A released month's
key is destroyed; no export made after its release holds it.

Flags (before the subcommand):
  --keyring DIR    the keyring (default: FEEDBACK_KEYRING, or DATA_DIR-keyring)
  --data-dir DIR   the embedded store's data directory, for the default keyring
`

// runKeyring lists, exports or imports the keyring; it needs no store.
func runKeyring(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback keyring", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, keyringUsage) }
	dataDir := fs.String("data-dir", firstNonEmpty(getenv("FEEDBACK_DATA_DIR"), "./data"), "")
	dir := fs.String("keyring", getenv(keyringEnv), "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		abs, err := filepath.Abs(*dataDir)
		if err != nil {
			return err
		}
		*dir = abs + "-keyring"
	}
	ring := ballotbox.NewKeyring(*dir)
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return errors.New("name a subcommand: list, export or import")
	}
	switch rest[0] {
	case "list":
		months, err := ring.Months()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s holds the keys of %d months: %s\n", *dir, len(months), strings.Join(months, " "))
		return nil
	case "export":
		return exportKeyring(ring, rest[1:], stdin, stdout, stderr)
	case "import":
		if len(rest) != 2 {
			return errors.New("feedback keyring import FILE")
		}
		return importKeyring(ring, rest[1], stdin, stdout)
	}
	fs.Usage()
	return fmt.Errorf("unknown keyring subcommand %q", rest[0])
}

func exportKeyring(ring *ballotbox.Keyring, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback keyring export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the file to write (made 0600; must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("feedback keyring export --out FILE")
	}
	pass, err := readPassphrase(stdin)
	if err != nil {
		return err
	}
	doc, err := ring.Export()
	if err != nil {
		return err
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return err
	}
	if _, err := w.Write(doc); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	months, _ := ring.Months()
	fmt.Fprintf(stdout, "Exported the keys of %d months (%s) to %s, encrypted under the passphrase.\n", len(months), strings.Join(months, " "), *out)
	return nil
}

func importKeyring(ring *ballotbox.Keyring, file string, stdin io.Reader, stdout io.Writer) error {
	pass, err := readPassphrase(stdin)
	if err != nil {
		return err
	}
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := age.Decrypt(f, id)
	if err != nil {
		return fmt.Errorf("open %s: %w (is the passphrase right?)", file, err)
	}
	doc, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	added, err := ring.Import(doc)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Imported the keys of %d months into %s: %s\n", len(added), ring.Dir(), strings.Join(added, " "))
	return nil
}
