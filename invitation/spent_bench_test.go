package invitation

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store/storetest"
)

// BenchmarkSpendAll spends a batch of 15 fresh codes per op, the batch the
// committer sees under 16 phones, against plain inserts of the same count.
func BenchmarkSpendAll(b *testing.B) {
	clock := clocktest.NewAt(codesStart)
	c, err := New(testSecret, Config{BaseURL: "https://feedback.example.org/", Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	st := storetest.New(b)
	s := NewStore(st.Database(Database), c)
	ctx := context.Background()
	n := 15
	if v, err := strconv.Atoi(os.Getenv("SPEND_BATCH")); err == nil {
		n = v
	}
	b.Run("SpendAll", func(b *testing.B) {
		services, codes := make([]string, n), make([]string, n)
		defer reportCPU(b)()
		for b.Loop() {
			for i := range codes {
				services[i] = "counselling"
				codes[i], _ = c.Mint("counselling")
			}
			if _, err := s.SpendAll(ctx, services, codes); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, size := range []int{16, 4288} {
		b.Run("InsertMany-"+map[int]string{16: "mark", 4288: "ballot"}[size], func(b *testing.B) {
			coll := st.Database("bench_other").Collection("plain")
			defer reportCPU(b)()
			for b.Loop() {
				docs := make([]any, n)
				for i := range docs {
					id := make([]byte, 16)
					_, _ = rand.Read(id)
					doc := bson.D{{Key: "_id", Value: base64.RawURLEncoding.EncodeToString(id)}}
					if size > 16 {
						doc = append(doc, bson.E{Key: "s", Value: bson.Binary{Data: make([]byte, size)}})
					}
					docs[i] = doc
				}
				if _, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU reports the process's CPU time per op (client and embedded store
// together), steadier than wall time on a shared machine.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCodeChecks is the keyed-hash work a spend does per code, apart from
// the store: the MAC check and the spent mark's keyed hash.
func BenchmarkCodeChecks(b *testing.B) {
	clock := clocktest.NewAt(codesStart)
	c, err := New(testSecret, Config{BaseURL: "https://feedback.example.org/", Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	code, _ := c.Mint("counselling")
	b.Run("Mint", func(b *testing.B) {
		for b.Loop() {
			_, _ = c.Mint("counselling")
		}
	})
	b.Run("VerifyAndMark", func(b *testing.B) {
		for b.Loop() {
			inv, err := c.VerifyFor("counselling", code)
			if err != nil {
				b.Fatal(err)
			}
			_ = c.spentID(inv)
		}
	})
}
