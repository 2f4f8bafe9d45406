package ballotbox

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// sealLegacy seals payload as boxes were sealed before the keyring.
func sealLegacy(t *testing.T, key []byte, size int, box, id string, payload []byte) []byte {
	t.Helper()
	plain := make([]byte, size)
	binary.BigEndian.PutUint32(plain, uint32(len(payload)))
	copy(plain[4:], payload)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, aead.NonceSize())
	_, _ = rand.Read(out)
	return aead.Seal(out, out, plain, []byte(box+"|"+id))
}

// A box sealed before the keyring (its key derived from the sealing secret
// and a salt) is resealed under the keyring: afterwards the secret opens none
// of its ballots, and its release writes every one of them once.
func TestReseal_MovesABoxSealedWithTheSecretUnderTheKeyring(t *testing.T) {
	st := storetest.New(t)
	db := st.Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	secret := NewSecret()
	sealer, err := NewSealer(NewKeyring(filepath.Join(t.TempDir(), "keyring")), secret, cat)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	box := monthOn(2026, 10)
	salt := make([]byte, 32)
	_, _ = rand.Read(salt)
	if _, err := db.Collection(boxesCollection).InsertOne(ctx, bson.D{{Key: "_id", Value: box}, {Key: "salt", Value: salt}}); err != nil {
		t.Fatal(err)
	}
	legacy, _ := sealer.legacyKey(box, salt)
	def, _ := cat.Get("counselling")
	for i := range 12 {
		payload, err := encodeBallot(def, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: fmt.Sprintf("old %d", i)}}, true, commentFlags{})
		if err != nil {
			t.Fatal(err)
		}
		id := survey.NewID()
		doc := ballotDoc{ID: id, Sealed: sealLegacy(t, legacy, sealer.PaddedSize(), box, id, payload)}
		if _, err := db.Collection(hourCollection(box, 32+i%2)).InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	clock := clocktest.New(onCalendar(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)))
	rel, err := NewReleaser(db, cat, ReleaseOptions{Sealer: sealer, K: 10, Now: clock.Now, MixWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	done, err := rel.Reseal(ctx)
	if err != nil || len(done) != 1 {
		t.Fatalf("reseal: %v %v", done, err)
	}
	var doc bson.M
	if err := db.Collection(boxesCollection).FindOne(ctx, bson.D{{Key: "_id", Value: box}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc["salt"] != nil || doc["pub"] == nil {
		t.Fatalf("the box should now hold a public key and no salt: %v", doc)
	}
	// The secret, with the salt it had, opens nothing left in the store.
	withSecret := newOpener(box, nil, legacy)
	names, _ := BallotCollections(ctx, db)
	seen := 0
	for _, name := range names {
		if name == guardCollection(box) {
			continue
		}
		err := eachBallot(ctx, db.Collection(name), func(d ballotDoc) error {
			seen++
			if _, err := withSecret.open(d.ID, d.Sealed); err == nil {
				return fmt.Errorf("ballot %s still opens with the sealing secret", d.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen != 12 {
		t.Fatalf("%d ballots after the reseal, want 12", seen)
	}
	clock.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	reports, err := rel.ReleaseDue(ctx)
	if err != nil || len(reports) != 1 || reports[0].Responses != 12 {
		t.Fatalf("release after the reseal: %+v %v", reports, err)
	}
}

// A releaser refuses a K below 1 (every group would be written, however
// small) and keeps the grace it is given (mutants of these checks lived).
func TestNewReleaser_RefusesKBelowOneAndKeepsItsGrace(t *testing.T) {
	db := storetest.New(t).Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	sealer, err := NewSealer(NewKeyring(t.TempDir()), nil, cat)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return onCalendar(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) }
	for _, k := range []int{0, -1} {
		if _, err := NewReleaser(db, cat, ReleaseOptions{Sealer: sealer, K: k, Now: now}); err == nil {
			t.Errorf("K %d accepted", k)
		}
	}
	r, err := NewReleaser(db, cat, ReleaseOptions{Sealer: sealer, K: 10, Now: now, Grace: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if r.opts.Grace != 48*time.Hour || r.opts.OpenK != 50 {
		t.Fatalf("grace %v, open K %d", r.opts.Grace, r.opts.OpenK)
	}
	if r, _ := NewReleaser(db, cat, ReleaseOptions{Sealer: sealer, K: 10, Now: now}); r.opts.Grace != DefaultReleaseGrace {
		t.Fatalf("no grace given: %v, want the default %v", r.opts.Grace, DefaultReleaseGrace)
	}
}
