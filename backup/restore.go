package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RestoreOptions say how to load a backup.
type RestoreOptions struct {
	// Passphrase is asked for once, and only when the file is encrypted.
	Passphrase func() (string, error)
	// Force drops the collections of the backup's databases (except Skipped
	// ones) before loading; without it a store holding any document in them is
	// refused.
	Force bool
	// Progress, if set, hears how far a large collection has been loaded.
	Progress func(database, collection string, done, total int64)
	// BatchSize is how many documents are inserted at once; 0 means 1,000.
	BatchSize int
}

// ErrNotEmpty means the store already holds data where a backup would go.
var ErrNotEmpty = errors.New("the store is not empty")

// Restore loads the backup that open returns into the store. The file is read
// twice: first checked from end to end, so that a damaged or cut-short file,
// or a wrong passphrase, is refused before anything is written; then loaded.
func Restore(ctx context.Context, client *mongo.Client, open func() (io.ReadCloser, error), opts RestoreOptions) (*Header, error) {
	ask := sync.OnceValues(func() (string, error) {
		if opts.Passphrase == nil {
			return "", errors.New("the backup is encrypted: give its passphrase")
		}
		return opts.Passphrase()
	})
	h, err := readFile(open, ask, nil)
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
	l := &loader{ctx: ctx, client: client, batch: batch, progress: opts.Progress, expected: counts(h)}
	if _, err := readFile(open, ask, l); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	for _, d := range h.Databases {
		for _, c := range d.Collections {
			n, err := client.Database(d.Name).Collection(c.Name).CountDocuments(ctx, bson.D{})
			if err != nil {
				return nil, fmt.Errorf("restore: count %s.%s: %w", d.Name, c.Name, err)
			}
			if n != c.Count {
				return nil, fmt.Errorf("restore: %s.%s holds %d documents after loading %d: was something writing to the store?", d.Name, c.Name, n, c.Count)
			}
		}
	}
	return h, nil
}

// Inspect checks a backup file from end to end without loading it, and
// returns its header with the exact counts it holds.
func Inspect(open func() (io.ReadCloser, error), passphrase func() (string, error)) (*Header, error) {
	return readFile(open, passphrase, nil)
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
			// One document is enough to know; a limited find stays cheap on any size.
			n, err := db.Collection(c).CountDocuments(ctx, bson.D{}, options.Count().SetLimit(1))
			if err != nil {
				return fmt.Errorf("restore: look in %s.%s: %w", d.Name, c, err)
			}
			if n > 0 {
				found = append(found, d.Name+"."+c)
			}
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("%w: %s already hold documents; restore into an empty store, or give --force to drop them first",
			ErrNotEmpty, strings.Join(found, ", "))
	}
	return nil
}

// loader inserts documents in batches as the file is read.
type loader struct {
	ctx      context.Context
	client   *mongo.Client
	batch    int
	progress func(database, collection string, done, total int64)
	expected map[string]int64

	coll    *mongo.Collection
	pending []any
	done    int64
}

func (l *loader) begin(db, coll string) {
	l.coll = l.client.Database(db).Collection(coll)
	l.pending, l.done = l.pending[:0], 0
}

func (l *loader) document(doc bson.Raw) error {
	l.pending = append(l.pending, doc)
	if len(l.pending) >= l.batch {
		return l.flush()
	}
	return nil
}

func (l *loader) end() error { return l.flush() }

func (l *loader) flush() error {
	if len(l.pending) == 0 {
		return nil
	}
	if _, err := l.coll.InsertMany(l.ctx, l.pending); err != nil {
		return &loadError{fmt.Errorf("load %s.%s: %w", l.coll.Database().Name(), l.coll.Name(), err)}
	}
	before := l.done
	l.done += int64(len(l.pending))
	l.pending = l.pending[:0]
	if l.progress != nil && l.done/ProgressEvery != before/ProgressEvery {
		name := l.coll.Database().Name() + "." + l.coll.Name()
		l.progress(l.coll.Database().Name(), l.coll.Name(), l.done, l.expected[name])
	}
	return nil
}

// loadError is a failure to write to the store, as opposed to one in the file.
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// readFile reads a whole backup file, checking its structure, and hands each
// collection and document to l when l is set.
func readFile(open func() (io.ReadCloser, error), passphrase func() (string, error), l *loader) (*Header, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	plain, _, err := decrypt(f, passphrase)
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
	h, err := readStream(r, l)
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
func readStream(r *bufio.Reader, l *loader) (*Header, error) {
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
	lineNo := 1
	next := func() (marker, []byte, error) {
		line, err := readLine(r)
		lineNo++
		if err == io.EOF {
			return marker{}, nil, corrupt("it ends at line %d before its last record", lineNo)
		}
		if err != nil {
			return marker{}, nil, err
		}
		if !isMarker(line) {
			return marker{}, line, nil
		}
		var m marker
		if err := json.Unmarshal(line, &m); err != nil {
			return marker{}, nil, corrupt("line %d: %v", lineNo, err)
		}
		return m, nil, nil
	}
	for di := range h.Databases {
		d := &h.Databases[di]
		for ci := range d.Collections {
			c := &d.Collections[ci]
			m, doc, err := next()
			if err != nil {
				return nil, err
			}
			if doc != nil || m.Record != "begin" || m.Database != d.Name || m.Collection != c.Name {
				return nil, corrupt("line %d: expected the start of %s.%s", lineNo, d.Name, c.Name)
			}
			if l != nil {
				l.begin(d.Name, c.Name)
			}
			var n int64
			for {
				m, doc, err := next()
				if err != nil {
					return nil, err
				}
				if doc == nil {
					if m.Record != "end" || m.Database != d.Name || m.Collection != c.Name || m.Count != n {
						return nil, corrupt("line %d: %s.%s should end after %d documents", lineNo, d.Name, c.Name, n)
					}
					break
				}
				var raw bson.Raw
				if err := bson.UnmarshalExtJSON(doc, true, &raw); err != nil {
					return nil, corrupt("line %d (%s.%s): %v", lineNo, d.Name, c.Name, err)
				}
				n++
				if l != nil {
					if err := l.document(raw); err != nil {
						return nil, err
					}
				}
			}
			if l != nil {
				if err := l.end(); err != nil {
					return nil, err
				}
			}
			c.Count = n
		}
	}
	m, doc, err := next()
	if err != nil {
		return nil, err
	}
	if doc != nil || m.Record != "done" {
		return nil, corrupt("line %d: expected the end of the backup", lineNo)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		if err == nil {
			return nil, corrupt("data after the end of the backup")
		}
		return nil, err
	}
	return &h, nil
}
