package backup

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"filippo.io/age"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// A spool is an external merge sort of one collection by _id. The embedded
// store cannot sort by _id on its side: FerretDB 1.24 pushes down only a
// $natural sort, so find().sort({_id: 1}) loads and sorts the whole collection
// in memory before the first batch (and paging by _id ranges scans it once a
// page). The backup therefore reads each collection once in the store's order
// and sorts here: runs of up to runBytes are sorted in memory and, when a
// collection outgrows one run, written to unlinked temporary files encrypted
// under a key that lives only in this process; the runs are merged as the
// backup file is written.
type spool struct {
	dir      string
	key      *age.X25519Identity
	runBytes int

	run   []entry // the current run, in memory
	size  int
	arena []byte // the current run's documents are copied here, a slab at a time

	files []*os.File // sorted runs on disk
	count int64      // documents added
	bytes int64      // their BSON size
}

// entry is one document and its _id, which points into the document.
type entry struct {
	id  bson.RawValue
	doc bson.Raw
}

// keepInMemory is the size under which a finished collection's last run stays
// in memory until the backup is written: counters, comments and the like.
const keepInMemory = 1 << 20

func newSpool(dir string, key *age.X25519Identity, runBytes int) *spool {
	return &spool{dir: dir, key: key, runBytes: runBytes}
}

// add copies doc (a cursor reuses its buffer) into the current run.
func (s *spool) add(doc bson.Raw) error {
	if cap(s.arena)-len(s.arena) < len(doc) {
		s.arena = make([]byte, 0, max(1<<20, len(doc)))
	}
	at := len(s.arena)
	s.arena = append(s.arena, doc...)
	c := bson.Raw(s.arena[at:len(s.arena):len(s.arena)])
	id, err := c.LookupErr("_id")
	if err != nil {
		return fmt.Errorf("a document without an _id: %w", err)
	}
	s.run = append(s.run, entry{id: id, doc: c})
	s.size += len(doc)
	s.count++
	s.bytes += int64(len(doc))
	if s.size >= s.runBytes {
		return s.spill()
	}
	return nil
}

// finish is called once the collection has been read: a large collection
// keeps nothing in memory while the others are read.
func (s *spool) finish() error {
	s.sortRun()
	if len(s.files) > 0 || s.size > keepInMemory {
		return s.spill()
	}
	return nil
}

func (s *spool) sortRun() {
	slices.SortFunc(s.run, func(a, b entry) int { return compareIDs(a.id, b.id) })
}

// spill writes the current run, sorted, to an encrypted temporary file.
func (s *spool) spill() error {
	if len(s.run) == 0 {
		return nil
	}
	s.sortRun()
	f, err := os.CreateTemp(s.dir, ".feedback-backup-*.run")
	if err != nil {
		return fmt.Errorf("temporary file for sorting: %w", err)
	}
	// Unlinked at once where the system allows it: nothing is left behind,
	// even if the process is killed.
	_ = os.Remove(f.Name())
	s.files = append(s.files, f)
	bw := bufio.NewWriterSize(f, 256<<10)
	enc, err := age.Encrypt(bw, s.key.Recipient())
	if err != nil {
		return fmt.Errorf("temporary file for sorting: %w", err)
	}
	for _, e := range s.run {
		if _, err := enc.Write(e.doc); err != nil {
			return fmt.Errorf("write temporary file %s: %w", f.Name(), err)
		}
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write temporary file %s: %w", f.Name(), err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write temporary file %s: %w", f.Name(), err)
	}
	clear(s.run) // let the slabs go
	s.run, s.size, s.arena = s.run[:0], 0, nil
	return nil
}

// each calls fn with every document in _id order.
func (s *spool) each(fn func(bson.Raw) error) error {
	var m merge
	for _, f := range s.files {
		r, err := openRun(f, s.key)
		if err != nil {
			return err
		}
		m = append(m, r)
	}
	if len(s.run) > 0 {
		m = append(m, &memoryRun{entries: s.run})
	}
	for i := 0; i < len(m); {
		if ok, err := m[i].advance(); err != nil {
			return err
		} else if !ok {
			m = slices.Delete(m, i, i+1)
			continue
		}
		i++
	}
	heap.Init(&m)
	for len(m) > 0 {
		if err := fn(m[0].current().doc); err != nil {
			return err
		}
		ok, err := m[0].advance()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&m, 0)
		} else {
			heap.Pop(&m)
		}
	}
	return nil
}

// close removes the temporary files (already unlinked on most systems).
func (s *spool) close() {
	for _, f := range s.files {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
	s.files, s.run, s.arena = nil, nil, nil
}

// source is one sorted run being merged.
type source interface {
	advance() (bool, error)
	current() entry
}

type merge []source

func (m merge) Len() int           { return len(m) }
func (m merge) Less(i, j int) bool { return compareIDs(m[i].current().id, m[j].current().id) < 0 }
func (m merge) Swap(i, j int)      { m[i], m[j] = m[j], m[i] }
func (m *merge) Push(x any)        { *m = append(*m, x.(source)) }
func (m *merge) Pop() any {
	old := *m
	x := old[len(old)-1]
	*m = old[:len(old)-1]
	return x
}

type memoryRun struct {
	entries []entry
	at      int
}

func (r *memoryRun) advance() (bool, error) { r.at++; return r.at <= len(r.entries), nil }
func (r *memoryRun) current() entry         { return r.entries[r.at-1] }

// fileRun reads a run back: BSON documents end to end, each led by its length.
type fileRun struct {
	r   *bufio.Reader
	cur entry
}

func openRun(f *os.File, key *age.X25519Identity) (*fileRun, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read temporary file %s: %w", f.Name(), err)
	}
	// No buffer under age: it reads the file a 64 KB chunk at a time, and a
	// merge holds every run of a collection open at once.
	plain, err := age.Decrypt(f, key)
	if err != nil {
		return nil, fmt.Errorf("read temporary file %s: %w", f.Name(), err)
	}
	return &fileRun{r: bufio.NewReaderSize(plain, 64<<10)}, nil
}

func (r *fileRun) advance() (bool, error) {
	var n [4]byte
	if _, err := io.ReadFull(r.r, n[:]); errors.Is(err, io.EOF) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read temporary file: %w", err)
	}
	size := int(binary.LittleEndian.Uint32(n[:]))
	if size < 5 {
		return false, errors.New("read temporary file: a damaged document")
	}
	doc := make([]byte, size)
	copy(doc, n[:])
	if _, err := io.ReadFull(r.r, doc[4:]); err != nil {
		return false, fmt.Errorf("read temporary file: %w", err)
	}
	id, err := bson.Raw(doc).LookupErr("_id")
	if err != nil {
		return false, fmt.Errorf("read temporary file: %w", err)
	}
	r.cur = entry{id: id, doc: doc}
	return true, nil
}

func (r *fileRun) current() entry { return r.cur }
