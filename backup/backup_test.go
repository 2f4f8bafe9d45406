package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// demoWritten is the day these tests were written for; demoNow is where their
// clock stands: demoWritten, or FEEDBACK_TEST_NOW (see clocktest.Start).
var (
	demoWritten = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	demoNow     = clocktest.Start(demoWritten)
)

const testPassphrase = "orange-kettle-harbour-93"

// testIdentity opens the backups tests write to toTest(): a recipient costs
// no scrypt.
var testIdentity = func() *age.X25519Identity {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		panic(err)
	}
	return id
}()

func toTest() []age.Recipient { return []age.Recipient{testIdentity.Recipient()} }

func withTest() []age.Identity { return []age.Identity{testIdentity} }

var surveySide = Sides[SurveySide]

func fromBytes(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func pass(p string) func() (string, error) { return func() (string, error) { return p, nil } }

// dump returns every document of every backed-up collection of db, as
// canonical Extended JSON sorted within each collection.
func dump(t *testing.T, client *mongo.Client, db string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	names, err := client.Database(db).ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, name := range names {
		if skipped(db, name) {
			continue
		}
		cur, err := client.Database(db).Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		docs := []string{}
		for cur.Next(ctx) {
			b, err := bson.MarshalExtJSON(cur.Current, true, false)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(b))
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(docs)
		out[name] = docs
	}
	return out
}

func sameDocuments(t *testing.T, db string, want, got map[string][]string) {
	t.Helper()
	for name, docs := range want {
		if !slices.Equal(docs, got[name]) {
			t.Errorf("%s.%s: %d documents restored, %d backed up, or they differ", db, name, len(got[name]), len(docs))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok && len(got[name]) > 0 {
			t.Errorf("%s.%s: restored, but not in the original", db, name)
		}
	}
}

// figures is every published dashboard figure and the first page of each
// service's comments, as JSON.
func figures(t *testing.T, st *store.Store, cat *survey.Catalogue) string {
	t.Helper()
	ctx := context.Background()
	d, err := dashboards.New(st.Database(store.SurveyDatabase), cat, dashboards.Options{Now: func() time.Time { return demoNow }})
	if err != nil {
		t.Fatal(err)
	}
	r := dashboards.LastMonths(demoNow, 12)
	var all []any
	o, err := d.Overview(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, o)
	for _, service := range d.Services() {
		s, err := d.Service(ctx, service, r)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
		c, err := d.Comments(ctx, service, r, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBackup_RestoresEveryDocumentAndEveryDashboardFigure(t *testing.T) {
	storetest.RequireApart(t) // restores into a second, empty store
	ctx := context.Background()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	from := storetest.New(t)
	if _, err := ballotbox.Demo(ctx, from.Database(store.SurveyDatabase), cat, ballotbox.DemoOptions{Responses: 1500, Now: demoNow, Seed: 7, Sealer: testSealer(t, cat)}); err != nil {
		t.Fatal(err)
	}
	// A nonce key, which must not travel.
	if _, err := ballotbox.NewResponses(from.Database(store.SurveyDatabase), ballotbox.Options{Now: clocktest.Wall, Sealer: testSealer(t, cat)}).Keys().Issue(ctx, "counselling"); err != nil {
		t.Fatal(err)
	}
	// Read first: the first read of comments makes the key they are ordered
	// by, kept in the survey database, which the backup must carry.
	wantFigures := figures(t, from, cat)
	var file bytes.Buffer
	start := time.Now()
	h, err := Write(ctx, from.Client, &file, Options{Databases: surveySide, Recipients: toTest(), Now: func() time.Time { return demoNow }})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if h.Created != survey.Month(demoNow) || h.Side != SurveySide || !bytes.HasPrefix(file.Bytes(), []byte("age-encryption.org/v1\n")) {
		t.Fatalf("header %+v, file starts %q", h, file.Bytes()[:22])
	}
	for _, c := range h.Databases[0].Collections {
		if c.Name == "keys" {
			t.Fatal("the nonce keys were backed up")
		}
	}

	to := storetest.New(t)
	start = time.Now()
	if _, err := Restore(ctx, to.Client, fromBytes(file.Bytes()), RestoreOptions{}); !errors.Is(err, ErrIdentity) {
		t.Fatalf("restore without the identity: %v", err)
	}
	restored, err := Restore(ctx, to.Client, fromBytes(file.Bytes()), RestoreOptions{Identities: withTest()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes; backup %v, restore %v; %+v", file.Len(), took, time.Since(start), restored.Databases)

	want := dump(t, from.Client, store.SurveyDatabase)
	comments := 0
	for name, docs := range want {
		if strings.HasPrefix(name, "comments") {
			comments += len(docs)
		}
	}
	if len(want["responses"]) < 1000 || len(want["counters"]) == 0 || comments == 0 {
		t.Fatalf("demo data too thin to prove anything: %d responses", len(want["responses"]))
	}
	sameDocuments(t, store.SurveyDatabase, want, dump(t, to.Client, store.SurveyDatabase))
	if a, b := wantFigures, figures(t, to, cat); a != b {
		t.Fatalf("dashboard figures differ after a restore:\n%s\n%s", a, b)
	}
}

// personalData puts a few intake and staff documents in st, with the BSON
// types a JSON round trip would lose: dates, binary, int32 against int64, a
// whole double. (FerretDB v1 has no Decimal128.)
func personalData(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	docs := map[string]map[string][]any{
		intake.Database: {
			"people": {
				bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "name", Value: "Dr Jane Example"}, {Key: "born", Value: time.Date(1990, 2, 3, 0, 0, 0, 0, time.UTC)}, {Key: "n32", Value: int32(7)}, {Key: "n64", Value: int64(7)}},
				bson.D{{Key: "_id", Value: "p2"}, {Key: "phone", Value: "07700 900123"}, {Key: "raw", Value: bson.Binary{Subtype: 0, Data: []byte{0, 1, 2}}}, {Key: "d", Value: 2.0}, {Key: "tags", Value: bson.A{"a", int32(1), 1.5, nil}}},
			},
			"contacts": {bson.D{{Key: "_id", Value: "c1"}, {Key: "at", Value: bson.DateTime(1764000000000)}, {Key: "nested", Value: bson.D{{Key: "x", Value: true}}}}},
		},
		accounts.Database: {
			"users":    {bson.D{{Key: "_id", Value: "admin@example.nhs.uk"}, {Key: "hash", Value: "$argon2id$v=19$m=64,t=1,p=1$abc"}}},
			"sessions": {bson.D{{Key: "_id", Value: "s1"}, {Key: "email", Value: "admin@example.nhs.uk"}}},
		},
	}
	for db, colls := range docs {
		for coll, ds := range colls {
			if _, err := st.Database(db).Collection(coll).InsertMany(ctx, ds); err != nil {
				t.Fatal(err)
			}
		}
	}
}

var (
	allDatabases = []string{store.SurveyDatabase, invitation.Database, intake.Database, accounts.Database}
	intakeSide   = Sides[IntakeSide]
)

func encryptedBackup(t *testing.T, st *store.Store) []byte {
	t.Helper()
	var file bytes.Buffer
	if _, err := Write(context.Background(), st.Client, &file, Options{Now: clocktest.Wall, Databases: intakeSide, Passphrase: testPassphrase, scryptWorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	return file.Bytes()
}

func TestBackup_PersonalDataIsEncryptedAndOnlyTheRightPassphraseRestoresIt(t *testing.T) {
	storetest.RequireApart(t) // restores into a second, empty store
	ctx := context.Background()
	from := storetest.New(t)
	personalData(t, from)
	if _, err := Write(ctx, from.Client, io.Discard, Options{Now: clocktest.Wall, Databases: intakeSide}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("intake backed up without a passphrase: %v", err)
	}
	file := encryptedBackup(t, from)
	if !bytes.HasPrefix(file, []byte("age-encryption.org/v1\n")) || bytes.Contains(file, []byte("Jane")) {
		t.Fatal("the intake backup is not an age file")
	}

	to := storetest.New(t)
	for name, p := range map[string]func() (string, error){"wrong": pass("orange-kettle-harbour-94"), "none": nil} {
		_, err := Restore(ctx, to.Client, fromBytes(file), RestoreOptions{Passphrase: p})
		if err == nil || (name == "wrong" && !errors.Is(err, ErrPassphrase)) {
			t.Fatalf("%s passphrase: %v", name, err)
		}
	}
	if got := dump(t, to.Client, intake.Database); len(got) != 0 {
		t.Fatalf("a refused restore wrote %v", got)
	}
	asked := 0
	if _, err := Restore(ctx, to.Client, fromBytes(file), RestoreOptions{Passphrase: func() (string, error) { asked++; return testPassphrase, nil }}); err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Errorf("passphrase asked %d times", asked)
	}
	for _, db := range intakeSide {
		sameDocuments(t, db, dump(t, from.Client, db), dump(t, to.Client, db))
	}
	if n, _ := to.Database(accounts.Database).Collection("sessions").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Fatal("staff sessions were restored")
	}
}

func TestRestore_RefusesANonEmptyStoreUnlessForced(t *testing.T) {
	ctx := context.Background()
	from := storetest.New(t)
	personalData(t, from)
	file := encryptedBackup(t, from)
	to := storetest.New(t)
	if _, err := to.Database(intake.Database).Collection("people").InsertOne(ctx, bson.D{{Key: "_id", Value: "someone-else"}}); err != nil {
		t.Fatal(err)
	}
	_, err := Restore(ctx, to.Client, fromBytes(file), RestoreOptions{Passphrase: pass(testPassphrase)})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "feedback_intake.people") {
		t.Fatalf("restore into a store with data: %v", err)
	}
	if _, err := Restore(ctx, to.Client, fromBytes(file), RestoreOptions{Passphrase: pass(testPassphrase), Force: true}); err != nil {
		t.Fatal(err)
	}
	sameDocuments(t, intake.Database, dump(t, from.Client, intake.Database), dump(t, to.Client, intake.Database))
}

func TestRestore_RefusesADamagedFileBeforeWritingAnything(t *testing.T) {
	storetest.RequireApart(t) // restores into a second, empty store
	ctx := context.Background()
	from := storetest.New(t)
	personalData(t, from)
	var plain bytes.Buffer
	if _, err := Write(ctx, from.Client, &plain, Options{Now: clocktest.Wall, Databases: []string{intake.Database}, Passphrase: testPassphrase, scryptWorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	sealed := plain.Bytes()
	// An unencrypted one too: a survey backup of the same documents.
	for _, c := range []string{"people", "contacts"} {
		cur, _ := from.Database(intake.Database).Collection(c).Find(ctx, bson.D{})
		var docs []bson.D
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if _, err := from.Database(store.SurveyDatabase).Collection(c).InsertOne(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	var toRecipient bytes.Buffer
	if _, err := Write(ctx, from.Client, &toRecipient, Options{Now: clocktest.Wall, Databases: surveySide, Recipients: toTest()}); err != nil {
		t.Fatal(err)
	}
	// A file from before every backup was encrypted: the same, in the clear.
	r, err := age.Decrypt(bytes.NewReader(toRecipient.Bytes()), testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	open, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, at int) []byte { c := bytes.Clone(b); c[at] ^= 0x40; return c }
	cases := map[string][]byte{
		"empty":                        {},
		"not a backup":                 []byte("hello, world\n"),
		"cut in half":                  open[:len(open)/2],
		"last byte missing":            open[:len(open)-1],
		"a byte changed":               flip(open, len(open)/2),
		"encrypted, cut in half":       sealed[:len(sealed)/2],
		"encrypted, a byte changed":    flip(sealed, len(sealed)-40),
		"to a recipient, cut in half":  toRecipient.Bytes()[:toRecipient.Len()/2],
		"to a recipient, byte changed": flip(toRecipient.Bytes(), toRecipient.Len()-40),
	}
	for name, file := range cases {
		t.Run(name, func(t *testing.T) {
			to := storetest.New(t)
			_, err := Restore(ctx, to.Client, fromBytes(file), RestoreOptions{Passphrase: pass(testPassphrase), Identities: withTest()})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			t.Log(err)
			for _, db := range []string{store.SurveyDatabase, intake.Database} {
				if got := dump(t, to.Client, db); len(got) != 0 {
					t.Fatalf("a refused restore wrote to %s: %v", db, got)
				}
			}
		})
	}
}

func testSealer(t *testing.T, cat *survey.Catalogue) *ballotbox.Sealer {
	t.Helper()
	s, err := ballotbox.NewSealer(ballotbox.NewKeyring(filepath.Join(t.TempDir(), "keyring")), nil, cat)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBackup_LeavesOutTheReleaseLeaseItHoldsWhileReading(t *testing.T) {
	st := storetest.New(t)
	hold := func(ctx context.Context, db *mongo.Database) (func(), error) {
		return ballotbox.HoldReleaseLease(ctx, db, "backup-test", clocktest.Wall, nil)
	}
	var file bytes.Buffer
	if _, err := Write(context.Background(), st.Client, &file, Options{Now: clocktest.Wall, Databases: surveySide, Recipients: toTest(), Hold: hold}); err != nil {
		t.Fatal(err)
	}
	h, docs := lines(t, file.Bytes())
	for _, c := range h.Databases[0].Collections {
		if c.Name == "leases" {
			t.Fatalf("the backup holds its own lease: %v", docs[store.SurveyDatabase+".leases"])
		}
	}
}
