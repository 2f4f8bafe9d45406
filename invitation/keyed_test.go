package invitation

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"
)

// Pooled keyed hashes give the same marks and MACs as a fresh HMAC each time,
// however often a hash is reused: a mark stored by an earlier version still
// catches a replay of its code, and codes already sent still verify.
func TestKeyedHash_SameAsAFreshHMACOnEveryReuse(t *testing.T) {
	c, _ := newTestCodes(t)
	for range 50 {
		code := mint(t, c, "counselling")
		inv, err := c.Verify(code)
		if err != nil {
			t.Fatal(err)
		}
		m := hmac.New(sha256.New, c.spentKey)
		m.Write(inv.raw[:])
		if want := encoding.EncodeToString(m.Sum(nil)[:16]); c.spentID(inv) != want {
			t.Fatalf("spent mark %q, want %q", c.spentID(inv), want)
		}
		m = hmac.New(sha256.New, c.macKey)
		m.Write(inv.raw[:macAt])
		if !hmac.Equal(m.Sum(nil)[:rawLength-macAt], inv.raw[macAt:]) {
			t.Fatalf("code %s: MAC differs from a fresh HMAC", code)
		}
	}
}
