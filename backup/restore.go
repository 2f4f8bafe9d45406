package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RestoreOptions say how to load a backup.
type RestoreOptions struct {
	// Passphrase is asked for once, and only when the file is encrypted
	// under a passphrase.
	Passphrase func() (string, error)
	// Identities open a file encrypted to age recipients.
	Identities []age.Identity
	// Force drops the collections of the backup's databases (except Skipped
	// ones) before loading; without it a store holding any document in them is
	// refused.
	Force bool
	// Progress, if set, hears how far the check has read the file and how far
	// each large collection has been loaded.
	Progress func(Progress)
	// ProgressEvery is how many documents pass between reports; 0 means ProgressEvery.
	ProgressEvery int
	// BatchSize is how many documents are inserted at once; 0 means 1,000.
	BatchSize int
}

// ErrNotEmpty means the store already holds data where a backup would go.
var ErrNotEmpty = errors.New("the store is not empty")

// Restore loads the backup that open returns into the store. The file is read
// twice: first checked from end to end, so that a damaged or cut-short file,
// or a wrong passphrase, is refused before anything is written; then loaded.
// What was loaded is counted from the store's acknowledgements of each batch:
// asking the store to count a large collection afterwards would scan it.
func Restore(ctx context.Context, client *mongo.Client, open func() (io.ReadCloser, error), opts RestoreOptions) (*Header, error) {
	key := &fileKeys{passphrase: &passphraseKey{ask: opts.Passphrase}, ids: opts.Identities}
	h, err := readFile(open, key, nil, opts.Progress, every(opts.ProgressEvery))
	if err != nil {
		return nil, err
	}
	if err := prepare(ctx, client, h, opts.Force); err != nil {
		return nil, err
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 1000
	}
	l := &loader{ctx: ctx, client: client, batch: batch, progress: opts.Progress, every: every(opts.ProgressEvery), expected: counts(h), loaded: map[string]int64{}}
	if _, err := readFile(open, key, l, nil, 0); err != nil {
		return nil, fmt.Errorf("restore: %w (the store now holds part of the backup: run the restore again with --force)", err)
	}
	for _, d := range h.Databases {
		for _, c := range d.Collections {
			if n := l.loaded[d.Name+"."+c.Name]; n != c.Count {
				return nil, fmt.Errorf("restore: %s.%s: the store acknowledged %d of %d documents; run the restore again with --force", d.Name, c.Name, n, c.Count)
			}
		}
	}
	return h, nil
}

// Inspect checks a backup file from end to end without loading it, and
// returns its header with the exact counts it holds.
func Inspect(open func() (io.ReadCloser, error), passphrase func() (string, error), ids ...age.Identity) (*Header, error) {
	return readFile(open, &fileKeys{passphrase: &passphraseKey{ask: passphrase}, ids: ids}, nil, nil, 0)
}

// fileKeys are what may open a backup: identities, or a passphrase.
type fileKeys struct {
	passphrase *passphraseKey
	ids        []age.Identity
}

func counts(h *Header) map[string]int64 {
	m := map[string]int64{}
	for _, d := range h.Databases {
		for _, c := range d.Collections {
			m[d.Name+"."+c.Name] = c.Count
		}
	}
	return m
}

// prepare refuses a store with data in the backup's databases, or with force
// drops those collections.
func prepare(ctx context.Context, client *mongo.Client, h *Header, force bool) error {
	var found []string
	for _, d := range h.Databases {
		db := client.Database(d.Name)
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return fmt.Errorf("restore: list collections of %s: %w", d.Name, err)
		}
		for _, c := range names {
			if skipped(d.Name, c) {
				continue
			}
			if force {
				if err := db.Collection(c).Drop(ctx); err != nil {
					return fmt.Errorf("restore: drop %s.%s: %w", d.Name, c, err)
				}
				continue
			}
			// One document is enough to know: a find with only a limit stays
			// cheap at any size, where even a limited count scans on the embedded store.
			err := db.Collection(c).FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
			switch {
			case err == nil:
				found = append(found, d.Name+"."+c)
			case !errors.Is(err, mongo.ErrNoDocuments):
				return fmt.Errorf("restore: look in %s.%s: %w", d.Name, c, err)
			}
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("%w: %s already hold documents; restore into an empty store, or give --force to drop them first",
			ErrNotEmpty, strings.Join(found, ", "))
	}
	return nil
}

// readFile reads a whole backup file, checking its structure, and hands each
// collection and document to l when l is set.
func readFile(open func() (io.ReadCloser, error), key *fileKeys, l *loader, progress func(Progress), every int64) (*Header, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	file := &fileMeter{r: f, start: time.Now(), report: progress, every: every}
	if st, ok := f.(interface{ Stat() (os.FileInfo, error) }); ok {
		if info, err := st.Stat(); err == nil {
			file.p.TotalBytes = info.Size()
		}
	}
	plain, _, err := decrypt(file, key.passphrase, key.ids...)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(plain)
	switch {
	case errors.Is(err, io.EOF):
		return nil, corrupt("the file is empty")
	case errors.Is(err, gzip.ErrHeader):
		return nil, corrupt("not a feedback backup (neither gzip nor age)")
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	r := bufio.NewReaderSize(zr, 256<<10)
	h, err := readStream(r, l, file.document)
	var le *loadError
	switch {
	case err == nil:
		return h, nil
	case errors.As(err, &le), errors.Is(err, ErrCorrupt):
		return nil, err
	default: // a read error below the records: gzip's checksum, age's authentication, a cut
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
}

func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err == io.EOF && len(line) > 0 {
		return nil, io.ErrUnexpectedEOF // every record ends with a newline
	}
	if err != nil {
		return nil, err
	}
	return line[:len(line)-1], nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// readStream checks the records in order: the header, then for each
// collection the header lists a begin, its documents and an end with their
// number, then done and nothing after.
func readStream(r *bufio.Reader, l *loader, counted func()) (*Header, error) {
	line, err := readLine(r)
	if err == io.EOF {
		return nil, corrupt("the file is empty")
	}
	if err != nil {
		return nil, err
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil || h.Record != "header" || h.Format != Format {
		return nil, corrupt("no backup header: is this a feedback backup?")
	}
	if h.Version != Version {
		return nil, fmt.Errorf("the backup is format version %d; this feedback reads version %d", h.Version, Version)
	}
	rr := &records{r: r, line: 1, loader: l, counted: counted}
	for di := range h.Databases {
		d := &h.Databases[di]
		for ci := range d.Collections {
			c := &d.Collections[ci]
			n, err := rr.collection(d.Name, c.Name)
			if err != nil {
				return nil, err
			}
			c.Count = n
		}
	}
	m, doc, err := rr.next()
	if err != nil {
		return nil, err
	}
	if doc != nil || m.Record != "done" {
		return nil, corrupt("line %d: expected the end of the backup", rr.line)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		if err == nil {
			return nil, corrupt("data after the end of the backup")
		}
		return nil, err
	}
	return &h, nil
}

// records reads a backup's lines after the header.
type records struct {
	r       *bufio.Reader
	line    int
	loader  *loader // nil when only checking
	counted func()  // told of every document
}

// next returns the next line as a marker, or as a document when it is not one.
func (rr *records) next() (marker, []byte, error) {
	line, err := readLine(rr.r)
	rr.line++
	if err == io.EOF {
		return marker{}, nil, corrupt("it ends at line %d before its last record", rr.line)
	}
	if err != nil {
		return marker{}, nil, err
	}
	if !isMarker(line) {
		return marker{}, line, nil
	}
	var m marker
	if err := json.Unmarshal(line, &m); err != nil {
		return marker{}, nil, corrupt("line %d: %v", rr.line, err)
	}
	return m, nil, nil
}

// collection reads one collection's begin record, documents and end record,
// which must hold the number of documents read.
// Complexity: the three records read in order, each checked where it is read;
// split, the names and the running count would be handed about.
func (rr *records) collection(db, coll string) (int64, error) {
	m, doc, err := rr.next()
	if err != nil {
		return 0, err
	}
	if doc != nil || m.Record != "begin" || m.Database != db || m.Collection != coll {
		return 0, corrupt("line %d: expected the start of %s.%s", rr.line, db, coll)
	}
	if rr.loader != nil {
		rr.loader.begin(db, coll)
	}
	var n int64
	for {
		m, doc, err := rr.next()
		if err != nil {
			return 0, err
		}
		if doc == nil {
			if m.Record != "end" || m.Database != db || m.Collection != coll || m.Count != n {
				return 0, corrupt("line %d: %s.%s should end after %d documents", rr.line, db, coll, n)
			}
			break
		}
		var raw bson.Raw
		if err := bson.UnmarshalExtJSON(doc, true, &raw); err != nil {
			return 0, corrupt("line %d (%s.%s): %v", rr.line, db, coll, err)
		}
		n++
		rr.counted()
		if rr.loader != nil {
			if err := rr.loader.document(raw); err != nil {
				return 0, err
			}
		}
	}
	if rr.loader != nil {
		return n, rr.loader.end()
	}
	return n, nil
}
