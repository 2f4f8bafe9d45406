package invitation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"sync"
	"testing"

	"github.com/cloudflare/circl/blindsign/blindrsa"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// blindToken is what a browser does: make a token, blind it, have it signed
// for code, unblind. It returns the token (prepared message, then signature)
// and the blinded message sent.
func blindToken(t *testing.T, tk *Tokens, service, code string) (token, blinded []byte, err error) {
	t.Helper()
	ctx := context.Background()
	key, err := tk.SigningKey(ctx, service)
	if err != nil {
		t.Fatal(err)
	}
	client, err := blindrsa.NewClient(Variant, key.Key)
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 32)
	_, _ = rand.Read(msg)
	prepared, err := client.Prepare(rand.Reader, msg)
	if err != nil {
		t.Fatal(err)
	}
	blinded, state, err := client.Blind(rand.Reader, prepared)
	if err != nil {
		t.Fatal(err)
	}
	blindSig, err := tk.Sign(ctx, service, key.ID, code, blinded)
	if err != nil {
		return nil, blinded, err
	}
	sig, err := client.Finalize(state, blindSig)
	if err != nil {
		t.Fatal(err)
	}
	return append(prepared, sig...), blinded, nil
}

func TestTokens_SignSpendsTheCodeOnceAndTheTokenVerifies(t *testing.T) {
	s, c, _, _ := newTestStore(t)
	tk := NewTokens(s)
	code := mint(t, c, "counselling")
	token, _, err := blindToken(t, tk, "counselling", code)
	if err != nil {
		t.Fatal(err)
	}
	prepared, ok, err := tk.VerifyToken(context.Background(), "counselling", token)
	if err != nil || !ok || !bytes.Equal(prepared, append(token[:PreparedLength:PreparedLength], month(2026, 11, "tokens_spent_2006_01")...)) {
		t.Fatalf("VerifyToken = %x, %v, %v", prepared, ok, err)
	}
	if _, _, err := blindToken(t, tk, "counselling", code); !errors.Is(err, ErrUsed) {
		t.Fatalf("second exchange: %v, want ErrUsed", err)
	}
	if _, err := s.Spend(context.Background(), code); !errors.Is(err, ErrUsed) {
		t.Fatalf("no-JS spend after the exchange: %v, want ErrUsed", err)
	}
	if _, ok, err := tk.VerifyToken(context.Background(), "peer-support", token); ok || err != nil {
		t.Fatalf("token under another service's key: %v, %v, want refused", ok, err)
	}
	token[len(token)-1] ^= 1
	if _, ok, err := tk.VerifyToken(context.Background(), "counselling", token); ok || err != nil {
		t.Fatalf("altered signature: %v, %v, want refused", ok, err)
	}
}

func TestTokens_RefusesBadCodesAndBlindedMessagesWithoutSpending(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	tk := NewTokens(s)
	ctx := context.Background()
	code := mint(t, c, "counselling")
	if _, _, err := blindToken(t, tk, "peer-support", code); !errors.Is(err, ErrInvalid) {
		t.Fatalf("other service's code: %v, want ErrInvalid", err)
	}
	if _, err := tk.Sign(ctx, "counselling", month(2026, 11, "2006-01"), code, []byte("short")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("short blinded message: %v, want ErrMalformed", err)
	}
	if _, err := tk.Sign(ctx, "counselling", month(2026, 11, "2006-01"), code, bytes.Repeat([]byte{0xff}, SignatureLength)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("blinded message over the modulus: %v, want ErrMalformed", err)
	}
	if _, err := s.Spend(ctx, code); err != nil {
		t.Fatalf("refused exchanges spent the code: %v", err)
	}
	old := mint(t, c, "counselling")
	clock.Set(clock.Now().AddDate(0, 0, 30))
	if _, _, err := blindToken(t, tk, "counselling", old); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired code: %v, want ErrExpired", err)
	}
}

func TestTokens_OneKeyPerServiceAndMonthSharedByInstancesAndSealed(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	ctx := context.Background()
	month := clock.Now().UTC().Format("2006-01")
	// Two instances making the key at once: one insert wins, the other reads it.
	a, b := NewTokens(s), NewTokens(NewStore(s.db, c))
	var pa, pb SigningKey
	var ea, eb error
	var wg sync.WaitGroup
	wg.Go(func() { pa, ea = a.SigningKey(ctx, "counselling") })
	wg.Go(func() { pb, eb = b.SigningKey(ctx, "counselling") })
	wg.Wait()
	if ea != nil || eb != nil || !pa.Key.Equal(pb.Key) || pa.ID != month || pb.ID != pa.ID {
		t.Fatalf("the instances' keys differ (%v, %v)", ea, eb)
	}
	token, _, err := blindToken(t, b, "counselling", mint(t, c, "counselling"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.VerifyToken(ctx, "counselling", token); !ok || err != nil {
		t.Fatalf("instance a refuses instance b's token: %v", err)
	}
	var raw bson.Raw
	if err := s.db.Collection(keysCollection).FindOne(ctx, bson.D{}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	k, _ := a.key(ctx, "counselling", month, false)
	sk := k.sk
	if bytes.Contains(raw, sk.D.Bytes()) || bytes.Contains(raw, sk.Primes[0].Bytes()) {
		t.Fatal("the private key is stored in clear")
	}
	// The same clock: on the wall clock another month's key would be asked
	// for, found missing and made, and the check below would prove nothing.
	other, err := New(bytes.Repeat([]byte{7}, 32), Config{BaseURL: "https://example.test", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTokens(NewStore(s.db, other)).SigningKey(ctx, "counselling"); err == nil {
		t.Fatal("another secret opened the sealed key")
	}
}

// BenchmarkBlindSign is one blind signing with an RSA-2048 key: the
// exchange's cost besides the spent mark's insert.
func BenchmarkBlindSign(b *testing.B) {
	sk, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		b.Fatal(err)
	}
	client, _ := blindrsa.NewClient(Variant, &sk.PublicKey)
	prepared, _ := client.Prepare(rand.Reader, make([]byte, 32))
	blinded, _, err := client.Blind(rand.Reader, prepared)
	if err != nil {
		b.Fatal(err)
	}
	signer := blindrsa.NewSigner(sk)
	for b.Loop() {
		if _, err := signer.BlindSign(blinded); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainSign is an ordinary RSA-PSS signature with the standard
// library, beside BenchmarkBlindSign on the same machine, for scale.
func BenchmarkPlainSign(b *testing.B) {
	sk, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		b.Fatal(err)
	}
	digest := make([]byte, 48)
	for b.Loop() {
		if _, err := rsa.SignPSS(rand.Reader, sk, crypto.SHA384, digest, nil); err != nil {
			b.Fatal(err)
		}
	}
}
