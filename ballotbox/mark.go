package ballotbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// A thank-you address carries a mark: opaque, of one length for every
// submission, it tells the thank-you page whether to open with a crisis
// message, and nobody who sees the address (a proxy, the browser's history,
// a shoulder) can tell which. It is sealed under the day's nonce key, so any
// instance can read it, today and tomorrow; nothing of it is stored.
//
//	mark: base64url(nonce | XChaCha20-Poly1305(flag)), 55 characters

const markLabel = "feedback thank-you mark"

// mark returns the mark of a submission that spoke of risk or did not.
func (r *Responses) mark(ctx context.Context, safeguarding bool) (string, error) {
	day := r.now().UTC().Format(nonceDayLayout)
	key, err := r.keys.key(ctx, day, false)
	if err != nil {
		return "", err
	}
	aead, err := chacha20poly1305.NewX(mac(key, markLabel)[:chacha20poly1305.KeySize])
	if err != nil {
		return "", err
	}
	flag := []byte{0}
	if safeguarding {
		flag[0] = 1
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+1+aead.Overhead())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, flag, []byte(markLabel))), nil
}

// Safeguarding reads a thank-you address's mark: whether the submission's
// comments spoke of risk. A mark that does not open (altered, or older than
// yesterday) says no.
func (r *Responses) Safeguarding(ctx context.Context, mark string) bool {
	if len(mark) > 128 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(mark)
	if err != nil {
		return false
	}
	today := r.now().UTC()
	for _, day := range []time.Time{today, today.AddDate(0, 0, -1)} {
		key, err := r.keys.key(ctx, day.Format(nonceDayLayout), true)
		if err != nil {
			continue
		}
		aead, err := chacha20poly1305.NewX(mac(key, markLabel)[:chacha20poly1305.KeySize])
		if err != nil || len(raw) < aead.NonceSize()+aead.Overhead()+1 {
			return false
		}
		flag, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(markLabel))
		if err == nil {
			return len(flag) == 1 && flag[0] == 1
		}
	}
	return false
}
