package ballotbox

import (
	"bytes"
	"crypto/hpke"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/feedback-service/feedback/survey"
)

// The keyring holds the private key of every month whose ballots are still
// sealed: one file a month, 0600, in a directory of its own that is neither
// in the database nor in any backup, and by default outside the data
// directory. The database holds only each month's public key, which seals and
// cannot open. A release deletes the month's private key (overwritten, then
// removed), so from then on no copy of that month's ballots anywhere (a stolen
// data directory, the oplog, every backup, even with the sealing secret)
// can be opened. Without the keyring no ballot can be opened at all.
//
// Keys are hybrid post-quantum HPKE keys (RFC 9180, ML-KEM-768 with X25519):
// every write is designed as if kept forever, and a ciphertext recorded today
// must not open to a quantum computer of later years once its key is gone.

// KeyringKEM is the HPKE KEM of ballot keys: ML-KEM-768 with X25519.
func KeyringKEM() hpke.KEM { return hpke.MLKEM768X25519() }

// ErrNoMonthKey means the keyring holds no private key for a month whose
// ballots are sealed: this is not the keyring the month was sealed for (a
// store restored without the keyring of its time: feedback keyring import),
// or this instance only seals.
var ErrNoMonthKey = errors.New("the keyring has no key for this month")

// Keyring is a directory of month keys.
type Keyring struct {
	dir string

	mu   sync.Mutex
	keys map[string]hpke.PrivateKey
}

// NewKeyring returns the keyring in dir. Nothing is read or made until a key
// is needed; Check makes the directory and says whether it can be used.
func NewKeyring(dir string) *Keyring {
	return &Keyring{dir: dir, keys: map[string]hpke.PrivateKey{}}
}

// Dir is the keyring's directory.
func (k *Keyring) Dir() string { return k.dir }

// Check makes the keyring's directory (0700) if need be, and refuses one that
// others may read or that this process cannot write.
func (k *Keyring) Check() error {
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return fmt.Errorf("keyring %s: %w", k.dir, err)
	}
	fi, err := os.Stat(k.dir)
	if err != nil {
		return fmt.Errorf("keyring %s: %w", k.dir, err)
	}
	if fi.Mode().Perm()&0o077 != 0 && os.Chmod(k.dir, 0o700) == nil {
		fi, err = os.Stat(k.dir) // a directory of ours, made for it: closed now
		if err != nil {
			return fmt.Errorf("keyring %s: %w", k.dir, err)
		}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("keyring %s is open to other users (mode %o): chmod 700 it", k.dir, fi.Mode().Perm())
	}
	probe, err := os.CreateTemp(k.dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("keyring %s cannot be written: %w", k.dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

const keyFileHeader = "feedback ballot key v1 "

func (k *Keyring) path(box string) string { return filepath.Join(k.dir, box+".key") }

// private returns box's private key, ErrNoMonthKey if the keyring has none.
func (k *Keyring) private(box string) (hpke.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if pk, ok := k.keys[box]; ok {
		return pk, nil
	}
	b, err := os.ReadFile(k.path(box))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s, keyring %s)", ErrNoMonthKey, box, k.dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read the key of %s: %w", box, err)
	}
	pk, err := parseKeyFile(box, b)
	if err != nil {
		return nil, err
	}
	k.keys[box] = pk
	return pk, nil
}

func parseKeyFile(box string, b []byte) (hpke.PrivateKey, error) {
	head, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok || string(head) != keyFileHeader+box {
		return nil, fmt.Errorf("the keyring's file for %s is not a key of that month", box)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(body)))
	if err != nil {
		return nil, fmt.Errorf("the keyring's file for %s is damaged", box)
	}
	pk, err := KeyringKEM().NewPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("the keyring's file for %s is damaged: %w", box, err)
	}
	return pk, nil
}

// create makes box's key, or returns the one already made. The file appears
// whole or not at all (written beside, synced, then linked into place), and
// of two processes sharing the directory the first link wins.
func (k *Keyring) create(box string) (hpke.PrivateKey, error) {
	if pk, err := k.private(box); err == nil || !errors.Is(err, ErrNoMonthKey) {
		return pk, err
	}
	if err := k.Check(); err != nil {
		return nil, err
	}
	pk, err := KeyringKEM().GenerateKey()
	if err != nil {
		return nil, err
	}
	raw, err := pk.Bytes()
	if err != nil {
		return nil, err
	}
	content := []byte(keyFileHeader + box + "\n" + base64.StdEncoding.EncodeToString(raw) + "\n")
	if err := writeNew(k.path(box), content); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("store the key of %s: %w", box, err)
	}
	return k.private(box)
}

// writeNew writes a file that must not exist yet, durably and whole.
func writeNew(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".new-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// destroy deletes box's key: the file is overwritten with zeros and synced
// before it is removed, so the key is not left in the file's old blocks. (A
// copy-on-write or journalled file system may still keep old blocks: put the
// keyring on a plain file system, or an encrypted one whose key you hold.)
func (k *Keyring) destroy(box string) error {
	k.mu.Lock()
	delete(k.keys, box)
	k.mu.Unlock()
	path := k.path(box)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // destroyed already (by another process sharing the keyring)
	}
	if err != nil {
		return fmt.Errorf("destroy the key of %s: %w", box, err)
	}
	fi, err := f.Stat()
	if err == nil {
		_, err = f.WriteAt(make([]byte, fi.Size()), 0)
	}
	if err == nil {
		err = f.Sync()
	}
	f.Close()
	if err != nil {
		return fmt.Errorf("destroy the key of %s: %w", box, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("destroy the key of %s: %w", box, err)
	}
	return syncDir(k.dir)
}

// Months lists the months the keyring holds keys of, oldest first.
func (k *Keyring) Months() ([]string, error) {
	entries, err := os.ReadDir(k.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read keyring %s: %w", k.dir, err)
	}
	var out []string
	for _, e := range entries {
		month, ok := strings.CutSuffix(e.Name(), ".key")
		if _, err := time.Parse(survey.MonthLayout, month); ok && err == nil {
			out = append(out, month)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Export returns every key the keyring holds, as one document for Import
// (to be encrypted by the caller: it opens every sealed ballot).
func (k *Keyring) Export() ([]byte, error) {
	months, err := k.Months()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, m := range months {
		b, err := os.ReadFile(k.path(m))
		if err != nil {
			return nil, fmt.Errorf("export the key of %s: %w", m, err)
		}
		if _, err := parseKeyFile(m, b); err != nil {
			return nil, err
		}
		out.Write(b)
	}
	return out.Bytes(), nil
}

// Import adds the keys of an Export the keyring does not hold; a month it
// holds a different key of is an error. It returns the months added.
func (k *Keyring) Import(doc []byte) ([]string, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	var added []string
	lines := strings.Split(strings.TrimSpace(string(doc)), "\n")
	if len(lines)%2 != 0 {
		return nil, errors.New("not a keyring export")
	}
	for i := 0; i < len(lines); i += 2 {
		month, ok := strings.CutPrefix(lines[i], keyFileHeader)
		if _, err := time.Parse(survey.MonthLayout, month); !ok || err != nil {
			return nil, errors.New("not a keyring export")
		}
		content := []byte(lines[i] + "\n" + lines[i+1] + "\n")
		if _, err := parseKeyFile(month, content); err != nil {
			return nil, err
		}
		have, err := os.ReadFile(k.path(month))
		switch {
		case err == nil && bytes.Equal(have, content):
			continue
		case err == nil:
			return added, fmt.Errorf("the keyring already holds another key for %s", month)
		case !errors.Is(err, fs.ErrNotExist):
			return added, err
		}
		if err := writeNew(k.path(month), content); err != nil {
			return added, fmt.Errorf("import the key of %s: %w", month, err)
		}
		added = append(added, month)
	}
	return added, nil
}
