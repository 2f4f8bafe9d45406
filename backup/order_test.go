package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

// lines returns the documents of each collection of a plain backup file, in
// the order they were written.
func lines(t *testing.T, file []byte) (*Header, map[string][]bson.Raw) {
	t.Helper()
	plain, err := age.Decrypt(bytes.NewReader(file), testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(plain)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	sc.Scan()
	var h Header
	if err := bson.UnmarshalExtJSON(sc.Bytes(), false, &h); err != nil {
		t.Fatal(err)
	}
	out := map[string][]bson.Raw{}
	var coll string
	for sc.Scan() {
		if isMarker(sc.Bytes()) {
			var m marker
			_ = bson.UnmarshalExtJSON(sc.Bytes(), false, &m)
			coll = m.Database + "." + m.Collection
			continue
		}
		var raw bson.Raw
		if err := bson.UnmarshalExtJSON(sc.Bytes(), true, &raw); err != nil {
			t.Fatal(err)
		}
		out[coll] = append(out[coll], raw)
	}
	return &h, out
}

func TestBackup_WritesEveryCollectionInIDOrderNotInsertionOrder(t *testing.T) {
	ctx := context.Background()
	from := storetest.New(t)
	// A collection no code names (as "ballots" will be), filled in an order
	// unrelated to its _ids, large enough to be sorted in several runs.
	rng := rand.New(rand.NewPCG(1, 2))
	db := from.Database(store.SurveyDatabase)
	var docs []any
	for i := range 3000 {
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("%016x", rng.Uint64())}, {Key: "n", Value: i}, {Key: "pad", Value: strings.Repeat("x", 100)}})
	}
	if _, err := db.Collection("ballots").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var file bytes.Buffer
	var reports []Progress
	h, err := Write(ctx, from.Client, &file, Options{Databases: surveySide, Recipients: toTest(), TempDir: tmp, RunBytes: 64 << 10,
		BatchSize: 100, ProgressEvery: 1000, Progress: func(p Progress) { reports = append(reports, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	written, got := lines(t, file.Bytes())
	want := []Collection{{Name: "ballots", Count: 3000}}
	if !slices.Equal(h.Databases[0].Collections, want) || !slices.Equal(written.Databases[0].Collections, want) {
		t.Fatalf("header returned %+v, written %+v; want %+v", h.Databases, written.Databases, want)
	}
	ballots := got["feedback.ballots"]
	if len(ballots) != 3000 || !slices.IsSortedFunc(ballots, func(a, b bson.Raw) int {
		return strings.Compare(a.Lookup("_id").StringValue(), b.Lookup("_id").StringValue())
	}) {
		t.Fatalf("%d ballots, not in _id order", len(ballots))
	}
	to := storetest.New(t)
	if _, err := Restore(ctx, to.Client, fromBytes(file.Bytes()), RestoreOptions{Identities: withTest(), BatchSize: 256, ProgressEvery: 1000,
		Progress: func(p Progress) { reports = append(reports, p) }}); err != nil {
		t.Fatal(err)
	}
	var stages []string
	for _, p := range reports {
		stages = append(stages, p.Stage+" "+p.Collection+" "+fmt.Sprint(p.Documents))
	}
	wantStages := "[read ballots 1000 read ballots 2000 read ballots 3000 " +
		"written ballots 1000 written ballots 2000 written ballots 3000 " +
		"checked  1000 checked  2000 checked  3000 " +
		"loaded ballots 1024 loaded ballots 2048 loaded ballots 3000]"
	if fmt.Sprint(stages) != wantStages {
		t.Errorf("progress reported:\n%v\nwant\n%v", stages, wantStages)
	}
	sameDocuments(t, store.SurveyDatabase, dump(t, from.Client, store.SurveyDatabase), dump(t, to.Client, store.SurveyDatabase))
}

func TestBackup_OrdersIDsOfDifferentTypesAsMongoDBDoes(t *testing.T) {
	ctx := context.Background()
	from := storetest.New(t)
	db := from.Database(store.SurveyDatabase)
	mixed := []any{
		bson.D{{Key: "_id", Value: bson.Binary{Data: []byte{9, 9}}}},
		bson.D{{Key: "_id", Value: "b"}},
		bson.D{{Key: "_id", Value: int32(7)}},
		bson.D{{Key: "_id", Value: bson.Binary{Data: []byte{1}}}},
		bson.D{{Key: "_id", Value: 2.5}},
		bson.D{{Key: "_id", Value: "a"}},
	}
	if _, err := db.Collection("mixed").InsertMany(ctx, mixed); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if _, err := Write(ctx, from.Client, &file, Options{Databases: surveySide, Recipients: toTest()}); err != nil {
		t.Fatal(err)
	}
	_, got := lines(t, file.Bytes())
	var ids []string
	for _, d := range got["feedback.mixed"] {
		ids = append(ids, d.Lookup("_id").String())
	}
	// MongoDB's order: numbers, strings, then binary (shorter first).
	wantIDs := `[{"$numberDouble":"2.5"} {"$numberInt":"7"} "a" "b" {"$binary":{"base64":"AQ==","subType":"00"}} {"$binary":{"base64":"CQk=","subType":"00"}}]`
	if fmt.Sprint(ids) != wantIDs {
		t.Errorf("mixed _ids written as %v", ids)
	}
}

func TestProgress_SaysDocumentsBytesRateAndTimeLeft(t *testing.T) {
	cases := []struct {
		p    Progress
		want string
	}{
		{Progress{Stage: "loaded", Database: "feedback", Collection: "responses", Documents: 250_000, Total: 1_000_000, Bytes: 100 << 20, Elapsed: 10 * time.Second},
			"feedback.responses: loaded 250000 of 1000000 documents, 100.0 MB, 25000 documents/s, about 30s left"},
		{Progress{Stage: "checked", Documents: 40_000, Bytes: 5 << 20, TotalBytes: 20 << 20, Elapsed: 2 * time.Second},
			"checked 40000 documents, 5.0 MB of 20.0 MB, 20000 documents/s, about 6s left"},
		{Progress{Stage: "read", Database: "feedback", Collection: "ballots", Documents: 20_000, Bytes: 1 << 20, Elapsed: time.Second},
			"feedback.ballots: read 20000 documents, 1.0 MB, 20000 documents/s"},
		{Progress{Stage: "read", Database: "feedback", Collection: "responses", Documents: 10_000, Total: 40_000, Elapsed: time.Second},
			"feedback.responses: read 10000 of 40000 documents, 10000 documents/s, about 3s left"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
