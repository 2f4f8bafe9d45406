package ballotbox_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// What the embedded store's files hold after a release, read as someone with
// a copy of the data directory would: no arrival order in the rows written, the
// counters' fields in the survey's order, no trace of the released ballots'
// ciphertext, and nothing of a carried group's answers anywhere.
func TestFiles_AfterAReleaseHoldNoOrderAndNoBallotPlaintext(t *testing.T) {
	storetest.RequireEmbedded(t) // reads the embedded store's files
	const k = 10
	dir := t.TempDir()
	st := storetest.Open(t, dir)
	db := st.Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	sealer := newSealer(t)
	c := clocktest.New(onCalendar(time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)))
	responses := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer})
	t.Cleanup(responses.Close)
	ctx := context.Background()
	submit := func(service, text string) {
		def, _ := cat.Get(service)
		nonce, err := responses.Keys().Issue(ctx, service)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := responses.Submit(ctx, def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	var arrived []string
	for i := range 200 {
		c.Set(c.Now().Add(3 * time.Hour))
		m := fmt.Sprintf("fl%04d", i)
		arrived = append(arrived, m)
		submit("counselling", "said "+m)
		if i%50 == 0 {
			submit("peer-support", fmt.Sprintf("carried secret %04d", i)) // 4: under K, carried
		}
	}
	// The ciphertext of a ballot, as the store keeps it, before the release.
	var b struct {
		C []byte `bson:"c"`
	}
	held, err := ballotbox.BallotCollections(ctx, db)
	if err != nil || len(held) == 0 {
		t.Fatalf("ballot collections: %v %v", held, err)
	}
	if err := db.Collection(held[0]).FindOne(ctx, bson.D{}).Decode(&b); err != nil {
		t.Fatal(err)
	}
	enc := base64.StdEncoding.EncodeToString(b.C)
	ciphertext := []byte(enc[len(enc)/2 : len(enc)/2+48])
	if !inFiles(t, dir, ciphertext) {
		t.Fatal("the ballot's ciphertext is not found in the files before the release: the check below would prove nothing")
	}

	c.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: k, OpenK: k, OpenByMonth: true, Now: c.Now, Responses: responses, AfterRelease: st.Compact})
	if err != nil {
		t.Fatal(err)
	}
	reports, err := rel.ReleaseDue(ctx)
	if err != nil || len(reports) != 1 || reports[0].Responses != 200 || reports[0].Carried != 4 {
		t.Fatalf("release: %+v %v", reports, err)
	}

	// The counters' fields are in the survey's order, every option present.
	def, _ := cat.Get("counselling")
	raw, err := db.Collection("counters").FindOne(ctx, bson.D{{Key: "service", Value: "counselling"}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	var questions, fft []string
	elems, _ := raw.Lookup("q").Document().Elements()
	for _, e := range elems {
		questions = append(questions, e.Key())
	}
	elems, _ = raw.Lookup("a", "fft").Document().Elements()
	for _, e := range elems {
		fft = append(fft, e.Key())
	}
	var wantQ, wantFFT []string
	for _, q := range def.Questions {
		wantQ = append(wantQ, q.ID)
	}
	for _, o := range def.Questions[0].Options {
		wantFFT = append(wantFFT, o.Value)
	}
	if !slices.Equal(questions, wantQ) || !slices.Equal(fft, wantFFT) {
		t.Fatalf("counter fields %v / %v, want the survey's order %v / %v", questions, fft, wantQ, wantFFT)
	}

	// Row order of the responses table, read from the SQLite file itself.
	var stored []arrival
	byMarker := map[string]int{}
	for i, m := range arrived {
		byMarker[m] = i
	}
	for _, row := range rows(t, filepath.Join(dir, "feedback.sqlite"), "responses") {
		i := bytes.Index(row, []byte("said fl"))
		if i < 0 {
			continue
		}
		n := byMarker[string(row[i+5:i+11])]
		stored = append(stored, arrival{at: time.Unix(int64(n), 0)})
	}
	if len(stored) != 200 {
		t.Fatalf("%d responses in the file, want 200", len(stored))
	}
	if rho := spearman(stored); rho > 0.3 || rho < -0.3 {
		t.Fatalf("row order of responses follows arrival: Spearman ρ %.2f", rho)
	} else {
		t.Logf("Spearman ρ between arrival and row order: %.3f", rho)
	}

	// Nothing of the carried answers, nor the released ballots' ciphertext, in
	// any file: main database, write-ahead log or free pages.
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // a directory or the socket
		}
		if bytes.Contains(data, []byte("carried secret")) {
			t.Errorf("%s holds a carried answer in the clear", filepath.Base(f))
		}
		if bytes.Contains(data, ciphertext) {
			t.Errorf("%s still holds a released ballot's ciphertext", filepath.Base(f))
		}
	}
}

// inFiles reports whether any file of dir holds needle.
func inFiles(t *testing.T, dir string, needle []byte) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil && bytes.Contains(data, needle) {
			return true
		}
	}
	return false
}

// rows reads a collection's rows from the SQLite file in physical order.
func rows(t *testing.T, file, collection string) [][]byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var table string
	if err := db.QueryRow("SELECT table_name FROM _ferretdb_collections WHERE name = ?", collection).Scan(&table); err != nil {
		t.Fatal(err)
	}
	rs, err := db.Query(fmt.Sprintf("SELECT _ferretdb_sjson FROM %q ORDER BY rowid", table))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out [][]byte
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, []byte(s))
	}
	return out
}
