package backup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Progress says how far one stage of a backup or restore has gone through a
// collection (or, for Stage "checked", through the file).
type Progress struct {
	Stage      string // "read", "written", "checked" or "loaded"
	Database   string
	Collection string
	Documents  int64
	// Total is the documents expected, 0 when unknown; while a backup reads a
	// collection it is the store's estimate, not a count.
	Total      int64
	Bytes      int64 // BSON bytes of the documents, or file bytes when checking
	TotalBytes int64 // file bytes when checking, 0 otherwise
	Elapsed    time.Duration
}

// ProgressEvery is how many documents pass between progress reports unless
// the options say otherwise.
const ProgressEvery = 20_000

func every(n int) int64 {
	if n <= 0 {
		return ProgressEvery
	}
	return int64(n)
}

// String is one line for an operator: documents, bytes, rate and ETA.
func (p Progress) String() string {
	var b strings.Builder
	if p.Collection != "" {
		fmt.Fprintf(&b, "%s.%s: ", p.Database, p.Collection)
	}
	fmt.Fprintf(&b, "%s %d", p.Stage, p.Documents)
	if p.Total > 0 {
		fmt.Fprintf(&b, " of %d", p.Total)
	}
	b.WriteString(" documents")
	if p.Bytes > 0 || p.TotalBytes > 0 {
		fmt.Fprintf(&b, ", %s", megabytes(p.Bytes))
	}
	if p.TotalBytes > 0 {
		fmt.Fprintf(&b, " of %s", megabytes(p.TotalBytes))
	}
	secs := p.Elapsed.Seconds()
	if secs <= 0 {
		return b.String()
	}
	fmt.Fprintf(&b, ", %.0f documents/s", float64(p.Documents)/secs)
	if left, ok := p.remaining(); ok {
		fmt.Fprintf(&b, ", about %s left", left.Round(time.Second))
	}
	return b.String()
}

// remaining extrapolates the rate so far, by documents when their total is
// known, otherwise by bytes.
func (p Progress) remaining() (time.Duration, bool) {
	done, total := float64(p.Documents), float64(p.Total)
	if p.Total <= 0 {
		done, total = float64(p.Bytes), float64(p.TotalBytes)
	}
	if total <= 0 || done <= 0 || done >= total {
		return 0, false
	}
	return time.Duration(float64(p.Elapsed) * (total - done) / done), true
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// meter reports progress for one collection every so many documents.
type meter struct {
	report func(Progress)
	every  int64
	p      Progress
	start  time.Time
	total  func() int64 // an estimate that may arrive late; nil when Total is known
}

func newMeter(report func(Progress), every int64, stage, db, coll string, total int64) *meter {
	return &meter{report: report, every: every, start: time.Now(),
		p: Progress{Stage: stage, Database: db, Collection: coll, Total: total}}
}

func (m *meter) add(docs, bytes int64) {
	before := m.p.Documents
	m.p.Documents += docs
	m.p.Bytes += bytes
	if m.report != nil && m.p.Documents/m.every != before/m.every {
		if m.total != nil {
			m.p.Total = m.total()
		}
		m.p.Elapsed = time.Since(m.start)
		m.report(m.p)
	}
}

// done reports the last figures of a collection large enough to have
// reported along the way, unless add just did.
func (m *meter) done() {
	if m.report != nil && m.p.Documents >= m.every && m.p.Documents%m.every != 0 {
		m.p.Elapsed, m.p.Total = time.Since(m.start), m.p.Documents
		m.report(m.p)
	}
}

// Estimate is the store's own idea of a collection's size, for an ETA only:
// collStats reads metadata (SQLite page statistics on the embedded store)
// rather than the documents. It has a timeout of its own and any failure
// means "unknown", never a failed backup.
func Estimate(ctx context.Context, coll *mongo.Collection) int64 {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var stats struct {
		Count int64 `bson:"count"`
	}
	cmd := bson.D{{Key: "collStats", Value: coll.Name()}}
	if err := coll.Database().RunCommand(ctx, cmd).Decode(&stats); err != nil {
		return 0
	}
	return stats.Count
}
