package invitation

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/cloudflare/circl/blindsign/blindrsa"
)

// Exchange answers every code alike: a signature's length, no error. Only a
// code that could be spent gets a signature of the blinded message; the
// others get a decoy, which a browser's check refuses. Nothing is spent for
// a code that was not good.
func TestTokens_ExchangeAnswersEveryCodeAlikeAndSignsOnlyASpendableOne(t *testing.T) {
	s, c, clock, _ := newTestStore(t)
	tk := NewTokens(s)
	ctx := context.Background()
	expired := mint(t, c, "counselling")
	clock.Set(clock.Now().AddDate(0, 0, 30))
	used := mint(t, c, "counselling")
	if _, err := s.Spend(ctx, used); err != nil {
		t.Fatal(err)
	}
	fresh, other := mint(t, c, "counselling"), mint(t, c, "peer-support")
	key, err := tk.SigningKey(ctx, "counselling")
	if err != nil {
		t.Fatal(err)
	}
	client, err := blindrsa.NewClient(Variant, key.Key)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, code string
		signs      bool
	}{
		{"unused", fresh, true}, {"used", used, false}, {"expired", expired, false},
		{"unknown", "AAAAAAAAAAAAAAAAAAAA", false}, {"another service's", other, false}, {"the unused one again", fresh, false},
	} {
		prepared, _ := client.Prepare(rand.Reader, make([]byte, 32))
		blinded, state, err := client.Blind(rand.Reader, prepared)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := tk.Exchange(ctx, "counselling", key.ID, tc.code, blinded)
		if err != nil || len(sig) != SignatureLength {
			t.Fatalf("%s code: %d bytes, %v; want a signature's length and no error", tc.name, len(sig), err)
		}
		if _, err := client.Finalize(state, sig); (err == nil) != tc.signs {
			t.Errorf("%s code: the answer verifies: %v, want %v", tc.name, err == nil, tc.signs)
		}
	}
	if _, err := s.SpendFor(ctx, "peer-support", other); err != nil {
		t.Fatalf("the exchange of another service's code spent it: %v", err)
	}
	// What does not depend on the code is still refused.
	if _, err := tk.Exchange(ctx, "counselling", "2020-01", fresh, make([]byte, SignatureLength)); !errors.Is(err, ErrKeyNotSigning) {
		t.Fatalf("an old key: %v", err)
	}
	if _, err := tk.Exchange(ctx, "counselling", key.ID, fresh, []byte("short")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a short blinded message: %v", err)
	}
}
