package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Options say what to back up and how.
type Options struct {
	// Databases to back up, in order: those of one side of the wall (Sides).
	Databases []string
	// Recipients encrypt the file (age public keys); without them, Passphrase
	// does (at least MinPassphrase characters). One of the two is required.
	Recipients []age.Recipient
	Passphrase string
	// Now is the clock for the header's month; nil means time.Now.
	Now func() time.Time
	// Progress, if set, hears how far each large collection has been read and written.
	Progress func(Progress)
	// ProgressEvery is how many documents pass between reports; 0 means ProgressEvery.
	ProgressEvery int
	// BatchSize is how many documents are read at once; 0 means 1,000.
	BatchSize int
	// TempDir holds the encrypted runs of the sort by _id of collections
	// larger than RunBytes (about their size in BSON); "" means os.TempDir().
	TempDir string
	// RunBytes is how much of a collection is sorted in memory at once; 0 means
	// DefaultRunBytes.
	RunBytes int
	// Hold, if set, is called before a database is read and the function it
	// returns once it has been read: the survey database is read holding the
	// release lease, so no mix or release moves ballots between its
	// collections while they are read.
	Hold func(ctx context.Context, db *mongo.Database) (done func(), err error)

	// scryptWorkFactor, when set, makes encryption cheaper, for tests only.
	scryptWorkFactor int
}

// DefaultRunBytes is the size of the sorted runs. The run being filled is
// most of what the backup holds while it reads, and the feedback command
// collects garbage at 300 % growth (GOGC=300, for the server): at 100,000
// people the heap reached 221 MB at a collection while reading with 32 MB
// runs, 108 MB with 8 MB runs (BENCHMARKS.md). Smaller runs only add
// temporary files and merge width: about 20 runs at 100,000 people.
const DefaultRunBytes = 8 << 20

func (o *Options) batch() int32 {
	if o.BatchSize <= 0 {
		return 1000
	}
	return int32(o.BatchSize)
}

// spooled is one collection read and sorted, waiting to be written.
type spooled struct {
	db, name string
	docs     *spool
}

// Write backs up every collection of the databases (but Skipped ones) to w,
// each in _id order, and returns the header it wrote. Every collection is
// read and sorted before the file is begun, so the header's counts are the
// documents the file holds, counted as they were read: the store is never
// asked to count, which on the embedded store means a scan of its own.
func Write(ctx context.Context, client *mongo.Client, w io.Writer, opts Options) (*Header, error) {
	if len(opts.Databases) == 0 {
		return nil, errors.New("backup: no databases")
	}
	side, err := sideOf(opts.Databases)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	switch {
	case len(opts.Recipients) == 0 && opts.Passphrase == "":
		return nil, fmt.Errorf("backup: %w", ErrNoKey)
	case len(opts.Recipients) == 0 && len(opts.Passphrase) < MinPassphrase:
		return nil, fmt.Errorf("backup: give a passphrase of at least %d characters", MinPassphrase)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Header{Record: "header", Format: Format, Version: Version, Side: side, Created: opts.Now().UTC().Format("2006-01")}
	// The passphrase's key is derived before the read, while the heap is
	// small: its 256 MB are then reused by the read instead of adding to it.
	// What age writes waits until the read has succeeded.
	held := &heldWriter{}
	sealed, err := seal(held, &opts)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	colls, err := readAll(ctx, client, h, &opts)
	defer func() {
		for _, c := range colls {
			c.docs.close()
		}
	}()
	if err != nil {
		return nil, err
	}
	if err := held.release(w); err != nil {
		return nil, fmt.Errorf("backup: write the file: %w", err)
	}
	if err := writeFile(sealed, h, colls, &opts); err != nil {
		return nil, fmt.Errorf("backup: write the file: %w", err)
	}
	return h, nil
}

// readAll reads every collection to back up into a spool, filling the
// header's list with what was read.
func readAll(ctx context.Context, client *mongo.Client, h *Header, opts *Options) ([]spooled, error) {
	key, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	runBytes := opts.RunBytes
	if runBytes <= 0 {
		runBytes = DefaultRunBytes
	}
	var colls []spooled
	for _, name := range opts.Databases {
		d, read, err := readDatabase(ctx, client.Database(name), key, runBytes, opts)
		colls = append(colls, read...)
		if err != nil {
			return colls, err
		}
		h.Databases = append(h.Databases, d)
	}
	return colls, nil
}

func readDatabase(ctx context.Context, db *mongo.Database, key *age.X25519Identity, runBytes int, opts *Options) (Database, []spooled, error) {
	name := db.Name()
	d := Database{Name: name, Collections: []Collection{}}
	if opts.Hold != nil {
		done, err := opts.Hold(ctx, db)
		if err != nil {
			return d, nil, fmt.Errorf("backup: %s: %w", name, err)
		}
		defer done()
	}
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return d, nil, fmt.Errorf("backup: list collections of %s: %w", name, err)
	}
	slices.Sort(names)
	var colls []spooled
	for _, c := range names {
		if skipped(name, c) {
			continue
		}
		sp := newSpool(opts.TempDir, key, runBytes)
		colls = append(colls, spooled{db: name, name: c, docs: sp})
		if err := readCollection(ctx, db.Collection(c), sp, opts); err != nil {
			return d, colls, fmt.Errorf("backup: read %s.%s: %w", name, c, err)
		}
		d.Collections = append(d.Collections, Collection{Name: c, Count: sp.count})
	}
	return d, colls, nil
}

// readCollection reads one collection with a single cursor in the store's
// order, the only read that does not cost a scan per page on the embedded
// store. The context has no deadline of its own, so the driver bounds each
// batch (the first find, then each getMore) by the client's timeout, never
// the whole collection: the time to read one grows with it.
func readCollection(ctx context.Context, coll *mongo.Collection, sp *spool, opts *Options) error {
	m := newMeter(opts.Progress, every(opts.ProgressEvery), "read", coll.Database().Name(), coll.Name(), 0)
	if opts.Progress != nil {
		// Asked alongside the read, not before it: at a million responses the
		// estimate alone took 6 s on a busy machine.
		var total atomic.Int64
		estCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { total.Store(Estimate(estCtx, coll)) }()
		m.total = total.Load
	}
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetBatchSize(opts.batch()))
	if err != nil {
		return err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		if err := sp.add(cur.Current); err != nil {
			return fmt.Errorf("document %d: %w", sp.count+1, err)
		}
		m.add(1, int64(len(cur.Current)))
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("after %d documents: %w", sp.count, err)
	}
	m.done()
	return sp.finish()
}

// seal starts the age encryption of the file to the recipients, or under the
// passphrase.
func seal(w io.Writer, opts *Options) (io.WriteCloser, error) {
	if len(opts.Recipients) > 0 {
		sealed, err := age.Encrypt(w, opts.Recipients...)
		if err != nil {
			return nil, fmt.Errorf("encrypt: %w", err)
		}
		return sealed, nil
	}
	r, err := age.NewScryptRecipient(opts.Passphrase)
	if err != nil {
		return nil, err
	}
	if opts.scryptWorkFactor > 0 {
		r.SetWorkFactor(opts.scryptWorkFactor)
	}
	sealed, err := age.Encrypt(w, r)
	afterScrypt()
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return sealed, nil
}

// heldWriter keeps what is written to it until release, then writes through.
type heldWriter struct {
	held bytes.Buffer
	w    io.Writer
}

func (h *heldWriter) Write(p []byte) (int, error) {
	if h.w == nil {
		return h.held.Write(p)
	}
	return h.w.Write(p)
}

func (h *heldWriter) release(w io.Writer) error {
	h.w = w
	_, err := h.held.WriteTo(w)
	return err
}

// writeFile writes the header, then each collection from its spool, through
// sealed, the file's encryption.
func writeFile(sealed io.WriteCloser, h *Header, colls []spooled, opts *Options) error {
	zw := gzip.NewWriter(sealed)
	bw := bufio.NewWriterSize(zw, 256<<10)
	if err := writeRecord(bw, h); err != nil {
		return err
	}
	for _, c := range colls {
		if err := writeCollection(bw, c, opts); err != nil {
			return fmt.Errorf("%s.%s: %w", c.db, c.name, err)
		}
	}
	if err := writeRecord(bw, marker{Record: "done"}); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return sealed.Close()
}

// writeCollection writes one collection's documents in _id order between its
// begin and end records.
func writeCollection(w io.Writer, c spooled, opts *Options) error {
	if err := writeRecord(w, marker{Record: "begin", Database: c.db, Collection: c.name}); err != nil {
		return err
	}
	m := newMeter(opts.Progress, every(opts.ProgressEvery), "written", c.db, c.name, c.docs.count)
	err := c.docs.each(func(doc bson.Raw) error {
		line, err := bson.MarshalExtJSON(doc, true, false)
		if err != nil {
			return fmt.Errorf("document %d: %w", m.p.Documents+1, err)
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return err
		}
		m.add(1, int64(len(doc)))
		return nil
	})
	if err != nil {
		return err
	}
	if m.p.Documents != c.docs.count {
		return fmt.Errorf("%d documents read but %d written", c.docs.count, m.p.Documents)
	}
	m.done()
	return writeRecord(w, marker{Record: "end", Database: c.db, Collection: c.name, Count: m.p.Documents})
}
