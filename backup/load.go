package backup

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// loader inserts documents in batches as the file is read.
type loader struct {
	ctx      context.Context
	client   *mongo.Client
	batch    int
	progress func(Progress)
	every    int64
	expected map[string]int64
	loaded   map[string]int64 // documents the store acknowledged, by database.collection

	coll    *mongo.Collection
	meter   *meter
	pending []any
	bytes   int64
}

func (l *loader) begin(db, coll string) {
	l.coll = l.client.Database(db).Collection(coll)
	l.meter = newMeter(l.progress, l.every, "loaded", db, coll, l.expected[db+"."+coll])
	l.pending, l.bytes = l.pending[:0], 0
}

func (l *loader) document(doc bson.Raw) error {
	l.pending = append(l.pending, doc)
	l.bytes += int64(len(doc))
	if len(l.pending) >= l.batch {
		return l.flush()
	}
	return nil
}

func (l *loader) end() error {
	err := l.flush()
	l.meter.done()
	return err
}

// flush inserts one batch; the context has no deadline of its own, so the
// client's timeout bounds each batch, not the collection.
func (l *loader) flush() error {
	if len(l.pending) == 0 {
		return nil
	}
	name := l.coll.Database().Name() + "." + l.coll.Name()
	res, err := l.coll.InsertMany(l.ctx, l.pending)
	if err != nil {
		return &loadError{fmt.Errorf("load %s after %d documents: %w", name, l.loaded[name], err)}
	}
	l.loaded[name] += int64(len(res.InsertedIDs))
	l.meter.add(int64(len(l.pending)), l.bytes)
	l.pending, l.bytes = l.pending[:0], 0
	return nil
}

// loadError is a failure to write to the store, as opposed to one in the file.
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// fileMeter counts the bytes of the backup file read and reports progress
// through the whole file every so many documents.
type fileMeter struct {
	r      io.Reader
	every  int64
	p      Progress
	start  time.Time
	report func(Progress)
}

func (m *fileMeter) Read(b []byte) (int, error) {
	n, err := m.r.Read(b)
	m.p.Bytes += int64(n)
	return n, err
}

func (m *fileMeter) document() {
	m.p.Documents++
	if m.report != nil && m.p.Documents%m.every == 0 {
		m.p.Stage, m.p.Elapsed = "checked", time.Since(m.start)
		m.report(m.p)
	}
}
