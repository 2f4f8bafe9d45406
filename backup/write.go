package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"filippo.io/age"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Options say what to back up and how.
type Options struct {
	// Databases to back up, in order; the survey database at least.
	Databases []string
	// Passphrase encrypts the file; required when a database holds personal data.
	Passphrase string
	// Now is the clock for the header's month; nil means time.Now.
	Now func() time.Time
	// Progress, if set, hears how far a large collection has been read or loaded.
	Progress func(database, collection string, done, total int64)
	// BatchSize is how many documents are read or inserted at once; 0 means 1,000.
	BatchSize int

	// scryptWorkFactor, when set, makes encryption cheaper, for tests only.
	scryptWorkFactor int
}

// ProgressEvery is how many documents pass between progress reports.
const ProgressEvery = 20_000

func (o *Options) batch() int32 {
	if o.BatchSize <= 0 {
		return 1000
	}
	return int32(o.BatchSize)
}

// Encrypted reports whether a backup of these databases must be encrypted.
func Encrypted(databases []string) bool {
	return slices.ContainsFunc(databases, func(db string) bool { return slices.Contains(PersonalDatabases, db) })
}

// Write backs up the databases to w and returns the header it wrote, with
// the exact counts written.
func Write(ctx context.Context, client *mongo.Client, w io.Writer, opts Options) (*Header, error) {
	if len(opts.Databases) == 0 {
		return nil, errors.New("backup: no databases")
	}
	encrypt := Encrypted(opts.Databases)
	if encrypt && len(opts.Passphrase) < MinPassphrase {
		return nil, fmt.Errorf("backup: personal data is encrypted; give a passphrase of at least %d characters", MinPassphrase)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Header{Record: "header", Format: Format, Version: Version, Created: opts.Now().UTC().Format("2006-01")}
	for _, name := range opts.Databases {
		db := client.Database(name)
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return nil, fmt.Errorf("backup: list collections of %s: %w", name, err)
		}
		slices.Sort(names)
		d := Database{Name: name, Collections: []Collection{}}
		for _, c := range names {
			if skipped(name, c) {
				continue
			}
			n, err := db.Collection(c).CountDocuments(ctx, bson.D{})
			if err != nil {
				return nil, fmt.Errorf("backup: count %s.%s: %w", name, c, err)
			}
			d.Collections = append(d.Collections, Collection{Name: c, Count: n})
		}
		h.Databases = append(h.Databases, d)
	}

	out := w
	var sealed io.WriteCloser
	if encrypt {
		r, err := age.NewScryptRecipient(opts.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		if opts.scryptWorkFactor > 0 {
			r.SetWorkFactor(opts.scryptWorkFactor)
		}
		if sealed, err = age.Encrypt(w, r); err != nil {
			return nil, fmt.Errorf("backup: encrypt: %w", err)
		}
		out = sealed
	}
	zw := gzip.NewWriter(out)
	bw := bufio.NewWriterSize(zw, 256<<10)
	if err := writeRecord(bw, h); err != nil {
		return nil, err
	}
	written := *h
	written.Databases = nil
	for _, d := range h.Databases {
		wd := Database{Name: d.Name}
		for _, c := range d.Collections {
			n, err := writeCollection(ctx, bw, client.Database(d.Name).Collection(c.Name), c.Count, &opts)
			if err != nil {
				return nil, fmt.Errorf("backup: %s.%s: %w", d.Name, c.Name, err)
			}
			wd.Collections = append(wd.Collections, Collection{Name: c.Name, Count: n})
		}
		written.Databases = append(written.Databases, wd)
	}
	if err := writeRecord(bw, marker{Record: "done"}); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if sealed != nil {
		if err := sealed.Close(); err != nil {
			return nil, err
		}
	}
	return &written, nil
}

// writeCollection writes one collection in batches. A collection is read with
// one cursor in natural order: the embedded store scans a collection whatever
// the query, so paging by _id would read it again for every page.
func writeCollection(ctx context.Context, w io.Writer, coll *mongo.Collection, expected int64, opts *Options) (int64, error) {
	db, name := coll.Database().Name(), coll.Name()
	if err := writeRecord(w, marker{Record: "begin", Database: db, Collection: name}); err != nil {
		return 0, err
	}
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetBatchSize(opts.batch()))
	if err != nil {
		return 0, err
	}
	defer cur.Close(ctx)
	var n int64
	for cur.Next(ctx) {
		line, err := bson.MarshalExtJSON(cur.Current, true, false)
		if err != nil {
			return n, fmt.Errorf("document %d: %w", n+1, err)
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return n, err
		}
		n++
		if opts.Progress != nil && n%ProgressEvery == 0 {
			opts.Progress(db, name, n, expected)
		}
	}
	if err := cur.Err(); err != nil {
		return n, err
	}
	if opts.Progress != nil && n >= ProgressEvery {
		opts.Progress(db, name, n, n)
	}
	return n, writeRecord(w, marker{Record: "end", Database: db, Collection: name, Count: n})
}
