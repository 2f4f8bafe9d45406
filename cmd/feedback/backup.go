package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/backup"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/store"
)

// runBackup is "feedback backup --out FILE [--intake] [--recipient AGE]...":
// the survey side, or with --intake the intake and staff side, each to a file
// of its own, encrypted to the recipients or under a passphrase read from stdin.
func runBackup(ctx context.Context, st *store.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file to write the backup to (age-encrypted gzip)")
	withIntake := fs.Bool("intake", false, "back up the intake and staff databases (personal data) instead of the survey side: never both in one file")
	var recipients []age.Recipient
	fs.Func("recipient", "encrypt to this age public key (age1…; repeat for several) instead of a passphrase read from stdin", func(s string) error {
		r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("not an age recipient (age1…): %w", err)
		}
		recipients = append(recipients, r)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("backup: usage: feedback backup --out FILE [--intake] [--recipient AGE]")
	}
	side := backup.SurveySide
	if *withIntake {
		side = backup.IntakeSide
	}
	opts := backup.Options{
		Databases:  backup.Sides[side],
		Recipients: recipients,
		Progress:   progressTo(stderr),
		Hold:       holdReleases(stderr),
	}
	kind := fmt.Sprintf("encrypted with age to %d recipient(s)", len(recipients))
	if len(recipients) == 0 {
		pass, err := readPassphrase(stdin)
		if err != nil {
			return fmt.Errorf("backup: every backup is encrypted: %w, or give --recipient", err)
		}
		opts.Passphrase, kind = pass, "encrypted with age under the passphrase"
	}
	start := time.Now()
	h, err := writeBackup(ctx, st, *out, opts)
	if err != nil {
		return err
	}
	info, _ := os.Stat(*out)
	fmt.Fprintf(stdout, "Wrote %s (%s, the %s side, %s) in %s:\n", *out, size(info), side, kind, time.Since(start).Round(time.Millisecond))
	summarise(stdout, h)
	if side == backup.SurveySide {
		fmt.Fprint(stdout, surveySideNotice)
	} else {
		fmt.Fprint(stdout, intakeSideNotice)
	}
	return nil
}

// What a backup does not hold, said after each.
const (
	surveySideNotice = `Months not yet released are in this file still sealed: they open only with the keyring
as it is now, which no backup holds. Export it with "feedback keyring export --out FILE"
(under a passphrase of its own), keep it apart from this file, and import it where you
restore. A month released since is gone from both.
The intake and staff databases are a separate file: "feedback backup --intake --out FILE",
under another passphrase or recipient.
`
	intakeSideNotice = `This file holds the intake and staff databases only. The survey side is a separate file:
"feedback backup --out FILE", under another passphrase or recipient.
`
)

// writeBackup writes the backup beside out and renames it once complete, so
// out is never half a backup.
func writeBackup(ctx context.Context, st *store.Store, out string, opts backup.Options) (*backup.Header, error) {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	// The sort by _id of a large collection spills beside the backup, where
	// there is room for the backup itself (the runs are encrypted and unlinked).
	opts.TempDir = dir
	f, err := os.CreateTemp(dir, "."+base+".*.partial")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	h, err := backup.Write(ctx, st.Client, w, opts)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("%w\nNothing was written to %s (a backup already there is untouched). Check that the store "+
			"is running and that %s has room for about the size of the survey data, then run the backup again", err, out, dir)
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return h, nil
}

// runRestore is "feedback restore [--force] [--identity FILE] FILE".
func runRestore(ctx context.Context, st *store.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "drop the collections the backup's databases already hold, then load (the data there is lost)")
	var ids []age.Identity
	fs.Func("identity", "an age identity file that opens a backup made with --recipient (else the passphrase is read from stdin)", func(file string) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		read, err := age.ParseIdentities(f)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		ids = append(ids, read...)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) > 0 { // flags after the file name too
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) != 1 {
		return errors.New("restore: usage: feedback restore [--force] [--identity FILE] FILE")
	}
	file := rest[0]
	open := func() (io.ReadCloser, error) { return os.Open(file) }
	start := time.Now()
	h, err := backup.Restore(ctx, st.Client, open, backup.RestoreOptions{
		Force:      *force,
		Passphrase: func() (string, error) { return readPassphrase(stdin) },
		Identities: ids,
		Progress:   progressTo(stderr),
	})
	if err != nil {
		return fmt.Errorf("restore %s: %w", file, err)
	}
	fmt.Fprintf(stdout, "Restored %s (made %s) in %s:\n", file, h.Created, time.Since(start).Round(time.Millisecond))
	summarise(stdout, h)
	fmt.Fprintln(stdout, "Start (or restart) feedback serve on this store: it makes its indexes and new nonce keys at start-up.")
	return nil
}

// readPassphrase reads the first line of stdin: pipe it from a file or a
// secrets manager, so it never appears in a command line or shell history.
func readPassphrase(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("give the passphrase on the first line of standard input")
	}
	pass := strings.TrimRight(line, "\r\n")
	if pass == "" {
		return "", errors.New("the passphrase on standard input is empty")
	}
	return pass, nil
}

func progressTo(w io.Writer) func(backup.Progress) {
	return func(p backup.Progress) { fmt.Fprintln(w, p) }
}

func summarise(w io.Writer, h *backup.Header) {
	for _, d := range h.Databases {
		var docs int64
		for _, c := range d.Collections {
			docs += c.Count
		}
		fmt.Fprintf(w, "  %s: %d collections, %d documents\n", d.Name, len(d.Collections), docs)
	}
}

func size(info os.FileInfo) string {
	if info == nil {
		return "? bytes"
	}
	if n := info.Size(); n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	} else if n >= 1<<10 {
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	} else {
		return fmt.Sprintf("%d bytes", n)
	}
}

// holdReleases has the backup read the survey database holding the release
// lease, waiting while a mix or release runs, so it reads each box's ballots
// in one state.
func holdReleases(stderr io.Writer) func(ctx context.Context, db *mongo.Database) (func(), error) {
	return func(ctx context.Context, db *mongo.Database) (func(), error) {
		if db.Name() != store.SurveyDatabase {
			return func() {}, nil
		}
		said := false
		return ballotbox.HoldReleaseLease(ctx, db, "backup-"+strconv.Itoa(os.Getpid()), func() {
			if !said {
				fmt.Fprintln(stderr, "waiting for a release or mix of sealed ballots to finish (no instance starts one while the backup reads them)")
				said = true
			}
		})
	}
}
