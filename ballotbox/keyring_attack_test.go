package ballotbox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// The attacker of issue 31: a copy of the data directory (holding the
// sealing secret, where sealing.key lives by default), a dump of every
// document as a backup holds it, and the sealing secret itself. Before the
// release they open nothing (the month's private key is only in the keyring,
// outside the data directory); after the release, even with a copy of the
// keyring taken then, they open nothing of that month.
func TestKeyringAttack_DataDirectoryBackupsAndSecretOpenNoBallot(t *testing.T) {
	storetest.RequireEmbedded(t) // copies the embedded store's files
	root := t.TempDir()
	dataDir, ringDir := filepath.Join(root, "data"), filepath.Join(root, "data-keyring")
	secret := ballotbox.NewSecret()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "sealing.key"), secret, 0o600); err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, dataDir)
	db := st.Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	ring := ballotbox.NewKeyring(ringDir)
	sealer, err := ballotbox.NewSealer(ring, secret, cat)
	if err != nil {
		t.Fatal(err)
	}
	c := clocktest.New(onCalendar(time.Date(2026, 10, 3, 8, 0, 0, 0, time.UTC)))
	responses := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer})
	t.Cleanup(responses.Close)
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, OpenK: 10, OpenByMonth: true, Now: c.Now, Responses: responses, MixWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	def, _ := cat.Get("counselling")
	const marker = "zebracrossing"
	for i := range 24 {
		nonce, _ := responses.Keys().Issue(ctx, "counselling")
		if _, err := responses.Submit(ctx, def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: marker + " seen"}}); err != nil {
			t.Fatal(err)
		}
		if i == 11 {
			c.Advance(2 * time.Hour)
			if _, err := rel.MixPending(ctx); err != nil { // half mixed, half in an hour
				t.Fatal(err)
			}
		}
	}
	keyFile, err := os.ReadFile(filepath.Join(ringDir, monthOn(2026, 10)+".key"))
	if err != nil {
		t.Fatalf("the month's key should be in the keyring: %v", err)
	}
	_, encoded, _ := strings.Cut(strings.TrimSpace(string(keyFile)), "\n")
	privateKey, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(privateKey) < 32 {
		t.Fatalf("the keyring's file: %v", err)
	}
	if err := st.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	before := copyDir(t, dataDir)
	backup := dumpDatabase(t, db)

	// Nothing the attacker holds carries the month's private key, or a word
	// of the answers.
	for _, blob := range append(filesOf(t, before), backup...) {
		if bytes.Contains(blob, []byte(marker)) {
			t.Fatal("an answer is in the clear in the data directory or the backup")
		}
		if bytes.Contains(blob, privateKey) || bytes.Contains(blob, []byte(encoded)) {
			t.Fatal("the month's private key is in the data directory or the backup")
		}
	}
	// The attacker runs the service's own release on the copy, with the
	// secret and a keyring of their own: it opens nothing and writes nothing.
	if n := releaseCopy(t, before, cat, secret, t.TempDir(), c); n != 0 {
		t.Fatalf("a copy of the data directory and the secret opened %d ballots", n)
	}

	c.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	reports, err := rel.ReleaseDue(ctx)
	if err != nil || len(reports) != 1 || reports[0].Responses != 24 {
		t.Fatalf("release: %+v, %v", reports, err)
	}
	if _, err := os.Stat(filepath.Join(ringDir, monthOn(2026, 10)+".key")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the released month's key is still in the keyring: %v", err)
	}
	// Now with a copy of the keyring as it is after the release too.
	ringCopy := copyDir(t, ringDir)
	if n := releaseCopy(t, before, cat, secret, ringCopy, c); n != 0 {
		t.Fatalf("the data directory, backup, secret and keyring opened %d ballots of a released month", n)
	}
}

// releaseCopy opens a store copied from dataDir and releases what it can with
// secret and keyring; it returns how many ballots it opened or wrote.
func releaseCopy(t *testing.T, dataDir string, cat *survey.Catalogue, secret []byte, keyring string, c *clocktest.Clock) int64 {
	t.Helper()
	st := storetest.Open(t, copyDir(t, dataDir))
	db := st.Database(store.SurveyDatabase)
	sealer, err := ballotbox.NewSealer(ballotbox.NewKeyring(keyring), secret, cat)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 1, OpenK: 1, OpenByMonth: true, Now: func() time.Time {
		return onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC))
	}, MixWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	reports, _ := rel.ReleaseDue(context.Background())
	n, err := db.Collection("responses").CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		n += int64(r.Ballots) // opened, whether written or carried
	}
	return n
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(path, ".lock") {
			return nil // the store's socket and lock
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func filesOf(t *testing.T, dir string) [][]byte {
	t.Helper()
	var out [][]byte
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(path)
			out = append(out, b)
		}
		return nil
	})
	return out
}

// dumpDatabase is every document of db, as a backup holds it.
func dumpDatabase(t *testing.T, db *mongo.Database) [][]byte {
	t.Helper()
	ctx := context.Background()
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			out = append(out, bytes.Clone(cur.Current))
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
