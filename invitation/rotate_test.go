package invitation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/blindsign/blindrsa"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// spend verifies token for service and spends it as the survey does; it
// returns whether it verified and whether it was fresh.
func spend(t *testing.T, tk *Tokens, service string, token []byte) (ok, fresh bool) {
	t.Helper()
	name, ok, err := tk.VerifyToken(context.Background(), service, token)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return false, false
	}
	f, err := tk.SpendTokens(context.Background(), []string{service}, [][]byte{name})
	if err != nil {
		t.Fatal(err)
	}
	return true, f[0]
}

// keyIDs lists blind_keys' _ids, sorted.
func keyIDs(t *testing.T, s *Store) []string {
	t.Helper()
	var ids []string
	for _, d := range spentMarks(t, s)[keysCollection] {
		ids = append(ids, d["_id"].(string))
	}
	slices.Sort(ids)
	return ids
}

// A token signed in November is accepted through December, once: its mark
// goes into November's collection, and holds only a hash. December signs
// with a key of its own.
func TestTokens_ATokenSignedLastMonthIsAcceptedOnceThisMonth(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	tk := NewTokens(s)
	token, _, err := blindToken(t, tk, "counselling", mint(t, c, "counselling"))
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(at(2026, 12, 31, 23, 59))
	if ok, fresh := spend(t, tk, "counselling", token); !ok || !fresh {
		t.Fatalf("November's token in December: verified %v, fresh %v", ok, fresh)
	}
	if ok, fresh := spend(t, tk, "counselling", token); !ok || fresh {
		t.Fatalf("November's token again: verified %v, fresh %v, want a replay", ok, fresh)
	}
	marks := spentMarks(t, s)
	if docs := marks[month(2026, 11, "tokens_spent_2006_01")]; len(docs) != 1 || len(docs[0]) != 1 || len(docs[0]["_id"].(string)) != 32 {
		t.Fatalf("November's marks: %v", docs)
	}
	if _, ok := marks[month(2026, 12, "tokens_spent_2006_01")]; ok {
		t.Fatal("a November token's mark went into December's collection")
	}
	dec, err := tk.SigningKey(context.Background(), "counselling")
	nov, _ := tk.key(context.Background(), "counselling", month(2026, 11, "2006-01"), false)
	if err != nil || dec.ID != month(2026, 12, "2006-01") || dec.Key.Equal(&nov.sk.PublicKey) || dec.MaxAge != time.Minute {
		t.Fatalf("December's key: %+v %v", dec, err)
	}
}

// From the first of the month after next, a token is refused as not valid,
// whether spent before or not.
func TestTokens_ATokenTwoMonthsOldIsRefused(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	tk := NewTokens(s)
	var tokens [][]byte
	for range 2 {
		token, _, err := blindToken(t, tk, "counselling", mint(t, c, "counselling"))
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	spend(t, tk, "counselling", tokens[0])
	clock.Set(at(2027, 1, 1, 0, 0))
	for i, token := range tokens {
		if ok, _ := spend(t, tk, "counselling", token); ok {
			t.Fatalf("token %d of November verified in January", i)
		}
	}
}

// Only this month's key signs, and last month's in the first minutes after
// midnight; a browser that names another key gets ErrKeyNotSigning, and its
// invitation is not spent.
func TestTokens_OnlyTheCurrentMonthsKeySigns(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	tk := NewTokens(s)
	ctx := context.Background()
	nov, err := tk.SigningKey(ctx, "counselling")
	if err != nil {
		t.Fatal(err)
	}
	blinded := blindFor(t, nov.Key)
	clock.Set(at(2026, 12, 1, 0, 5))
	if _, err := tk.Sign(ctx, "counselling", nov.ID, mint(t, c, "counselling"), blinded); err != nil {
		t.Fatalf("November's key five minutes into December: %v", err)
	}
	if _, err := tk.Sign(ctx, "peer-support", nov.ID, mint(t, c, "peer-support"), blinded); !errors.Is(err, ErrKeyNotSigning) {
		t.Fatalf("last month's key of a service that had none: %v", err)
	}
	clock.Set(at(2026, 12, 1, 0, 11))
	code := mint(t, c, "counselling")
	for _, id := range []string{nov.ID, "", month(2027, 1, "2006-01"), month(2026, 12, "2006-01x"), "../x"} {
		if _, err := tk.Sign(ctx, "counselling", id, code, blinded); !errors.Is(err, ErrKeyNotSigning) {
			t.Fatalf("key %q in December: %v, want ErrKeyNotSigning", id, err)
		}
	}
	if _, err := s.Spend(ctx, code); err != nil {
		t.Fatalf("the refused exchanges spent the code: %v", err)
	}
}

func blindFor(t *testing.T, pk *rsa.PublicKey) []byte {
	t.Helper()
	client, _ := blindrsa.NewClient(Variant, pk)
	prepared, _ := client.Prepare(rand.Reader, make([]byte, 32))
	blinded, _, err := client.Blind(rand.Reader, prepared)
	if err != nil {
		t.Fatal(err)
	}
	return blinded
}

// Rotate makes next month's key in the last hours of the month, and retires
// a key (its document deleted, its marks' collection dropped) once its tokens
// are no longer accepted, after the grace.
func TestTokens_RotateMakesKeysAheadAndRetiresOldOnes(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	clock.Set(at(2026, 11, 23, 12, 0)) // mid-month: Rotate makes no key ahead yet
	tk := NewTokens(s)
	ctx := context.Background()
	token, _, _ := blindToken(t, tk, "counselling", mint(t, c, "counselling"))
	spend(t, tk, "counselling", token)
	if err := tk.Rotate(ctx); err != nil || !slices.Equal(keyIDs(t, s), []string{"counselling|" + month(2026, 11, "2006-01")}) {
		t.Fatalf("mid-month rotation: %v %v", keyIDs(t, s), err)
	}
	clock.Set(at(2026, 11, 30, 22, 30))
	if err := tk.Rotate(ctx); err != nil || !slices.Equal(keyIDs(t, s), []string{"counselling|" + month(2026, 11, "2006-01"), "counselling|" + month(2026, 12, "2006-01")}) {
		t.Fatalf("rotation at the end of November: %v %v", keyIDs(t, s), err)
	}
	clock.Set(at(2026, 12, 10, 0, 0))
	token, _, _ = blindToken(t, tk, "counselling", mint(t, c, "counselling"))
	spend(t, tk, "counselling", token)
	clock.Set(at(2027, 1, 1, 0, 5))
	if err := tk.Rotate(ctx); err != nil || len(keyIDs(t, s)) != 2 || spentMarks(t, s)[month(2026, 11, "tokens_spent_2006_01")] == nil {
		t.Fatalf("within the grace: %v %v", keyIDs(t, s), err)
	}
	clock.Set(at(2027, 1, 1, 0, 20))
	if err := tk.Rotate(ctx); err != nil || !slices.Equal(keyIDs(t, s), []string{"counselling|" + month(2026, 12, "2006-01")}) {
		t.Fatalf("after the grace: %v %v", keyIDs(t, s), err)
	}
	marks := spentMarks(t, s)
	if _, ok := marks[month(2026, 11, "tokens_spent_2006_01")]; ok || len(marks[month(2026, 12, "tokens_spent_2006_01")]) != 1 {
		t.Fatalf("November's marks not dropped, or December's gone: %v", marks)
	}
}

// legacyKey stores a key as the code before rotation did (_id the service,
// no month) and returns it.
func legacyKey(t *testing.T, tk *Tokens, service string) *rsa.PrivateKey {
	t.Helper()
	sk, _ := rsa.GenerateKey(rand.Reader, keyBits)
	der, _ := x509.MarshalPKCS8PrivateKey(sk)
	pub, _ := x509.MarshalPKIXPublicKey(&sk.PublicKey)
	doc, err := tk.seal(service, pub, der)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.keys.InsertOne(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	return sk
}

// legacyToken is a token signed under sk, as the exchange before rotation made.
func legacyToken(t testing.TB, sk *rsa.PrivateKey) []byte {
	t.Helper()
	client, _ := blindrsa.NewClient(Variant, &sk.PublicKey)
	prepared, _ := client.Prepare(rand.Reader, make([]byte, 32))
	blinded, state, _ := client.Blind(rand.Reader, prepared)
	blindSig, _ := blindrsa.NewSigner(sk).BlindSign(blinded)
	sig, err := client.Finalize(state, blindSig)
	if err != nil {
		t.Fatal(err)
	}
	return append(prepared, sig...)
}

// A store from before rotation has one key per service and marks in
// tokens_spent. Its key becomes the key of the month of first need (or of
// Rotate's first run): its tokens are accepted that month and the next, the
// old marks still refuse a replay, and then the key and tokens_spent go.
func TestTokens_TheKeyFromBeforeRotationServesTwoMonthsThenGoes(t *testing.T) {
	s, _, clock, _ := newTestStore(t)
	clock.Set(at(2026, 11, 23, 12, 0)) // mid-month: Rotate makes no key ahead yet
	tk := NewTokens(s)
	ctx := context.Background()
	sk := legacyKey(t, tk, "counselling")
	legacyKey(t, tk, "peer-support")
	spentBefore, fresh := legacyToken(t, sk), legacyToken(t, sk)
	if _, err := s.db.Collection(legacySpentTokens).InsertOne(ctx, bson.D{{Key: "_id", Value: spentTokenID("counselling", spentBefore[:PreparedLength])}}); err != nil {
		t.Fatal(err)
	}
	if ok, f := spend(t, tk, "counselling", spentBefore); !ok || f {
		t.Fatalf("a token spent before rotation: verified %v, fresh %v, want a replay", ok, f)
	}
	if ok, f := spend(t, tk, "counselling", fresh); !ok || !f {
		t.Fatalf("a token signed before rotation: verified %v, fresh %v", ok, f)
	}
	if key, err := tk.SigningKey(ctx, "counselling"); err != nil || key.ID != month(2026, 11, "2006-01") || !key.Key.Equal(&sk.PublicKey) {
		t.Fatalf("November's key is not the adopted one: %v", err)
	}
	if err := tk.Rotate(ctx); err != nil || !slices.Equal(keyIDs(t, s), []string{"counselling|" + month(2026, 11, "2006-01"), "peer-support|" + month(2026, 11, "2006-01")}) {
		t.Fatalf("after adoption: %v %v", keyIDs(t, s), err)
	}
	if n := len(spentMarks(t, s)[legacySpentTokens]); n != 2 {
		t.Fatalf("%d marks in tokens_spent, want the old one and the new", n)
	}
	clock.Set(at(2026, 12, 31, 12, 0))
	if ok, f := spend(t, tk, "counselling", fresh); !ok || f {
		t.Fatalf("the token again in December: verified %v, fresh %v", ok, f)
	}
	clock.Set(at(2027, 1, 1, 1, 0))
	if err := tk.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	for name := range spentMarks(t, s) {
		if strings.HasPrefix(name, legacySpentTokens) {
			t.Fatalf("%s is left in January", name)
		}
	}
	if ids := keyIDs(t, s); len(ids) != 0 {
		t.Fatalf("keys left in January: %v", ids)
	}
}

// BenchmarkVerifyToken checks a token signed this month (one RSA verify), one
// signed last month once this month's key exists (two), and one signed last
// month before any key of this month (two reads of blind_keys besides).
func BenchmarkVerifyToken(b *testing.B) {
	s, _, clock, _ := newTestStore(b)
	tk := NewTokens(s)
	ctx := context.Background()
	nov, err := tk.key(ctx, "counselling", month(2026, 11, "2006-01"), true)
	if err != nil {
		b.Fatal(err)
	}
	token := legacyToken(b, nov.sk)
	for _, bc := range []struct {
		name string
		at   time.Time
		dec  bool
	}{{"this month", at(2026, 11, 23, 12, 0), false}, {"last month, no key this month", at(2026, 12, 2, 0, 0), false}, {"last month", at(2026, 12, 2, 0, 0), true}} {
		clock.Set(bc.at)
		if bc.dec {
			if _, err := tk.SigningKey(ctx, "counselling"); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, ok, err := tk.VerifyToken(ctx, "counselling", token); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// Instances run Rotate at once: the same key ahead, the same keys retired,
// and no error from dropping a collection the other dropped first.
func TestTokens_RotateOnTwoInstancesAtOnce(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	clock.Set(at(2026, 11, 23, 12, 0)) // mid-month: Rotate makes no key ahead yet
	a, b := NewTokens(s), NewTokens(NewStore(s.db, c))
	ctx := context.Background()
	token, _, _ := blindToken(t, a, "counselling", mint(t, c, "counselling"))
	spend(t, a, "counselling", token)
	for _, now := range []time.Time{at(2026, 11, 30, 23, 0), at(2027, 1, 1, 1, 0)} {
		clock.Set(now)
		for range 3 {
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, tk := range []*Tokens{a, b} {
				wg.Go(func() { errs[i] = tk.Rotate(ctx) })
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("at %v: %v", now, errs)
			}
		}
	}
	ka, _ := a.SigningKey(ctx, "counselling")
	kb, _ := b.SigningKey(ctx, "counselling")
	if !slices.Equal(keyIDs(t, s), []string{"counselling|" + month(2026, 12, "2006-01"), "counselling|" + month(2027, 1, "2006-01")}) || !ka.Key.Equal(kb.Key) || ka.ID != month(2027, 1, "2006-01") {
		t.Fatalf("keys after rotating on two instances: %v", keyIDs(t, s))
	}
	if _, ok := spentMarks(t, s)[month(2026, 11, "tokens_spent_2006_01")]; ok {
		t.Fatal("November's marks are left")
	}
}
