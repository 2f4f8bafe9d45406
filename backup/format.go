// Package backup writes the service's databases to one file and loads them
// back, on the embedded store and on MongoDB alike (the same driver calls).
//
// A backup file is gzip-compressed JSON lines: a header, then each collection
// as a "begin" record, one line of canonical MongoDB Extended JSON per
// document in _id order and an "end" record with the number written, then a
// "done" record. Every file is encrypted as a whole with age, under a
// passphrase (an scrypt recipient) or to age recipients.
//
// A file holds one side of the privacy wall, never both (see [Sides]): the
// survey side (anonymous answers, sealed ballots, and the spent marks of
// invitations and blind tokens, so that a restored store refuses a code used
// before the backup) or the intake side (identities and staff), each in a
// file of its own under a key of its own. Sealed ballots of months not yet
// released open only with the keyring of the backup's time, which no backup
// holds (package ballotbox).
package backup

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"filippo.io/age"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
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

// The two sides of the privacy wall. A backup file holds the databases of
// one side: one file never crosses the wall.
const (
	SurveySide = "survey"
	IntakeSide = "intake"
)

// Sides lists each side's databases, in the order a backup writes them. The
// survey side carries the spent marks of invitations and blind tokens
// (invitation.Database): without them a restored store would take a used
// invitation again.
var Sides = map[string][]string{
	SurveySide: {store.SurveyDatabase, invitation.Database},
	IntakeSide: {intake.Database, accounts.Database},
}

// ErrCrossesWall means a backup was asked to hold databases of both sides
// (or one of neither).
var ErrCrossesWall = errors.New("a backup file holds one side of the wall: the survey databases or the intake and staff ones, never both")

// sideOf names the side every one of databases is on.
func sideOf(databases []string) (string, error) {
	for side, dbs := range Sides {
		if !slices.ContainsFunc(databases, func(db string) bool { return !slices.Contains(dbs, db) }) {
			return side, nil
		}
	}
	return "", fmt.Errorf("%w (asked for %s)", ErrCrossesWall, strings.Join(databases, ", "))
}

func skipped(db, coll string) bool { return slices.Contains(Skipped[db], coll) }

// Header is the first record of a backup file.
type Header struct {
	Record  string `json:"$backup"` // "header"
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Side is the side of the wall the file holds (SurveySide or IntakeSide);
	// empty in files written before the sides were kept apart.
	Side string `json:"side,omitempty"`
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

// ErrIdentity means a backup encrypted to age recipients was given no
// identity that opens it.
var ErrIdentity = errors.New("this backup is encrypted to an age recipient: give the matching identity file")

// ErrNoKey means a backup was to be written with neither a passphrase nor a recipient.
var ErrNoKey = fmt.Errorf("every backup is encrypted: give a passphrase of at least %d characters or an age recipient", MinPassphrase)

// ErrCorrupt means a backup file is damaged or cut short.
var ErrCorrupt = errors.New("the backup file is damaged or incomplete")

// MinPassphrase is the shortest passphrase a backup is encrypted under.
const MinPassphrase = 12

// decrypt returns the plaintext (still gzip) of a backup file: decrypted with
// the identities given or, for a file under a passphrase, with the passphrase,
// asked for only then. A file that is not age (written before every backup
// was encrypted) is read as it is.
func decrypt(r io.Reader, key *passphraseKey, ids ...age.Identity) (io.Reader, bool, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(len(ageMagic))
	if !bytes.Equal(head, ageMagic) {
		return br, false, nil
	}
	plain, err := age.Decrypt(br, append(slices.Clip(ids), key)...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		switch {
		case errors.As(err, &noMatch) && slices.Contains(noMatch.StanzaTypes, "scrypt"):
			return nil, true, ErrPassphrase
		case errors.As(err, &noMatch):
			return nil, true, ErrIdentity
		case errors.Is(err, errNoPassphrase):
			return nil, true, err
		}
		return nil, true, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return plain, true, nil
}
