// Package backup writes the service's databases to one file and loads them
// back, on the embedded store and on MongoDB alike (the same driver calls).
//
// A backup file is gzip-compressed JSON lines: a header, then each collection
// as a "begin" record, one line of canonical MongoDB Extended JSON per
// document in _id order and an "end" record with the number written, then a
// "done" record. A file holding personal data (the intake and staff databases) is
// encrypted as a whole with age under a passphrase (an scrypt recipient).
package backup

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"filippo.io/age"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/store"
)

// Format names the file format; Version changes with any incompatible change.
const (
	Format  = "feedback-backup"
	Version = 1
)

// Skipped are collections never backed up, restored over or dropped, by database:
//   - survey "keys": each day's nonce key, deleted once its nonces expire so
//     that nobody can link a form's nonce to its response; a backup would keep
//     it alive. A restored service makes new keys (forms already open must be
//     reloaded).
//   - survey "leases": who may release or mix, until when. The backup reads the
//     survey database holding that lease, so the file held the backup's own
//     lease, and a restored store then waited up to 10 minutes for a holder
//     that no longer runs before its first backup, release or mix.
//   - staff "sessions": live sign-ins; after a restore everyone signs in again.
var Skipped = map[string][]string{
	store.SurveyDatabase: {"keys", "leases"},
	accounts.Database:    {"sessions"},
}

// PersonalDatabases hold personal data: a backup of any of them is encrypted.
var PersonalDatabases = []string{intake.Database, accounts.Database}

func skipped(db, coll string) bool { return slices.Contains(Skipped[db], coll) }

// Header is the first record of a backup file.
type Header struct {
	Record  string `json:"$backup"` // "header"
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Created is the month the backup was made (YYYY-MM): enough to tell
	// backups apart, and no finer than anything else the service keeps.
	Created   string     `json:"created"`
	Databases []Database `json:"databases"`
}

// Database lists one database's collections in a header.
type Database struct {
	Name        string       `json:"name"`
	Collections []Collection `json:"collections"`
}

// Collection is one collection and the number of its documents the file
// holds: counted as they were read, never asked of the store, and the same in
// the header and in the collection's "end" record.
type Collection struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// marker is every record other than the header and documents.
type marker struct {
	Record     string `json:"$backup"` // begin, end or done
	Database   string `json:"database,omitempty"`
	Collection string `json:"collection,omitempty"`
	Count      int64  `json:"count,omitempty"`
}

// Records other than documents start with this, so a line is told apart
// without decoding it; documents start with their _id.
var markerPrefix = []byte(`{"$backup":`)

func isMarker(line []byte) bool { return bytes.HasPrefix(line, markerPrefix) }

func writeRecord(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ageMagic starts every age file; gzip files start with 0x1f 0x8b.
var ageMagic = []byte("age-encryption.org/")

// ErrPassphrase means the passphrase does not open an encrypted backup.
var ErrPassphrase = errors.New("the passphrase does not open this backup")

// ErrCorrupt means a backup file is damaged or cut short.
var ErrCorrupt = errors.New("the backup file is damaged or incomplete")

// MinPassphrase is the shortest passphrase a backup is encrypted under.
const MinPassphrase = 12

// decrypt returns the plaintext (still gzip) of a backup file, decrypting it
// with the passphrase asked for only when the file is encrypted.
func decrypt(r io.Reader, key *passphraseKey) (io.Reader, bool, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(len(ageMagic))
	if !bytes.Equal(head, ageMagic) {
		return br, false, nil
	}
	id, err := key.identity()
	if err != nil {
		return nil, true, err
	}
	plain, err := age.Decrypt(br, id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, true, ErrPassphrase
		}
		return nil, true, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return plain, true, nil
}
