package ballotbox

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/feedback-service/feedback/survey"
)

// A submission is stored first as a sealed ballot: its answers encrypted with
// an AEAD and padded to one fixed size, so the write that acknowledges it says
// nothing of its service, answers or length. The AEAD key is a sender key of
// the month's box: an HPKE encapsulation (RFC 9180) to the month's public key,
// made afresh for each hour's collection and each mix's generation, and
// written in front of every ballot it seals. Only the month's private key in
// the keyring (keyring.go) recovers it; the serving process holds the sender
// key in memory only. A release destroys the private key, and with it every
// way to open that month's ballots.
//
//	ballot v1: 0x01 | len(enc) uint16 | enc | XChaCha20-Poly1305 nonce | ciphertext
//	           (additional data: box|_id; plaintext: length uint32 | payload | zeros)
//
// A box sealed before the keyring (a salt in its document, its key derived
// from the sealing secret) is opened with that key until a mix reseals it
// (legacy.go).

// SecretSize is the length of the sealing secret in bytes.
const SecretSize = 32

// ErrSecret means the sealing secret is missing or malformed.
var ErrSecret = errors.New("sealing secret")

// Sealer seals ballots to a month's public key and, with the keyring, opens them.
type Sealer struct {
	ring   *Keyring // nil: this process seals and never opens
	legacy []byte   // the sealing secret, to open boxes sealed before the keyring
	size   int      // padded plaintext size, the same for every ballot
	// grown is the padded size once a survey published since start-up needs
	// more (see Fit); 0 until then.
	grown atomic.Int64
}

// NewSealer returns a sealer for the months in ring (nil: one that only seals,
// for an instance that neither mixes nor releases), padding every ballot to
// the largest answer set any survey in cat can produce. legacy, if not nil, is
// the sealing secret that boxes made before the keyring were sealed with.
func NewSealer(ring *Keyring, legacy []byte, cat *survey.Catalogue) (*Sealer, error) {
	if legacy != nil && len(legacy) != SecretSize {
		return nil, fmt.Errorf("%w: %d bytes; it must be %d", ErrSecret, len(legacy), SecretSize)
	}
	size := 0
	for _, d := range append(cat.All(), cat.Archive()...) {
		size = max(size, maxPayload(d))
	}
	// 4 bytes say how long the payload is; the rest is padding.
	return &Sealer{ring: ring, legacy: legacy, size: roundUp(size+4, 64)}, nil
}

// PaddedSize is the plaintext size every ballot is padded to.
func (s *Sealer) PaddedSize() int {
	if g := s.grown.Load(); g > 0 {
		return int(g)
	}
	return s.size
}

// legacyKey derives the key of a box made before the keyring, from its salt.
func (s *Sealer) legacyKey(box string, salt []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, s.legacy, salt, "feedback ballot box "+box, chacha20poly1305.KeySize)
}

const ballotV1 = 0x01

// A sender seals ballots of one box under one encapsulated key.
type sender struct {
	box    string
	header []byte // version, length and enc: the front of every ballot it seals
	aead   cipher.AEAD
}

func hpkeInfo(box string) []byte { return []byte("feedback ballot box " + box) }

// newSender encapsulates a fresh key to box's public key.
func newSender(box string, pub hpke.PublicKey) (*sender, error) {
	enc, ctx, err := hpke.NewSender(pub, hpke.HKDFSHA256(), hpke.ExportOnly(), hpkeInfo(box))
	if err != nil {
		return nil, fmt.Errorf("seal to the key of %s: %w", box, err)
	}
	key, err := ctx.Export("ballot key", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	header := make([]byte, 3, 3+len(enc))
	header[0] = ballotV1
	binary.BigEndian.PutUint16(header[1:], uint16(len(enc)))
	return &sender{box: box, header: append(header, enc...), aead: aead}, nil
}

// seal pads payload and encrypts it, bound to the ballot's box and _id.
func (s *Sealer) seal(snd *sender, id string, payload []byte) ([]byte, error) {
	size := s.PaddedSize()
	if len(payload)+4 > size {
		return nil, fmt.Errorf("ballot of %d bytes exceeds the padded size %d", len(payload), size)
	}
	bp := plainBuffers.Get().(*[]byte)
	defer plainBuffers.Put(bp)
	if cap(*bp) < size {
		*bp = make([]byte, size)
	}
	plain := (*bp)[:size]
	binary.BigEndian.PutUint32(plain, uint32(len(payload)))
	copy(plain[4:], payload)
	clear(plain[4+len(payload):]) // the padding is zeros, whatever the buffer held
	ns := snd.aead.NonceSize()
	out := make([]byte, len(snd.header)+ns, len(snd.header)+ns+size+snd.aead.Overhead())
	copy(out, snd.header)
	_, _ = rand.Read(out[len(snd.header):])
	return snd.aead.Seal(out, out[len(snd.header):], plain, []byte(snd.box+"|"+id)), nil
}

// plainBuffers recycles the padded plaintext: one a ballot, a few KiB each,
// was a fair part of the garbage collector's work under load.
var plainBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// An opener opens the ballots of one box: with its private key, remembering
// each encapsulated key it has opened (a box holds a few: one an hour and
// one a mix), or with a box's legacy key.
type opener struct {
	box     string
	private hpke.PrivateKey // nil: none in this keyring
	legacy  []byte          // nil: the box was made with the keyring
	aeads   map[string]cipher.AEAD
}

func newOpener(box string, private hpke.PrivateKey, legacy []byte) *opener {
	return &opener{box: box, private: private, legacy: legacy, aeads: map[string]cipher.AEAD{}}
}

// open decrypts a sealed ballot and strips its padding.
func (o *opener) open(id string, sealed []byte) ([]byte, error) {
	if isV1(sealed) {
		payload, err := o.openV1(id, sealed)
		if err == nil || o.legacy == nil {
			return payload, err
		}
	}
	if o.legacy == nil {
		return nil, errors.New("not a sealed ballot")
	}
	aead, err := chacha20poly1305.NewX(o.legacy)
	if err != nil {
		return nil, err
	}
	return unpad(aead, o.box, id, sealed)
}

func (o *opener) openV1(id string, sealed []byte) ([]byte, error) {
	n := 3 + int(binary.BigEndian.Uint16(sealed[1:3]))
	enc, body := sealed[3:n], sealed[n:]
	aead, ok := o.aeads[string(enc)]
	if !ok {
		if o.private == nil {
			return nil, fmt.Errorf("%w (%s)", ErrNoMonthKey, o.box)
		}
		r, err := hpke.NewRecipient(enc, o.private, hpke.HKDFSHA256(), hpke.ExportOnly(), hpkeInfo(o.box))
		if err != nil {
			return nil, fmt.Errorf("open a ballot of %s: %w", o.box, err)
		}
		key, err := r.Export("ballot key", chacha20poly1305.KeySize)
		if err != nil {
			return nil, err
		}
		if aead, err = chacha20poly1305.NewX(key); err != nil {
			return nil, err
		}
		o.aeads[string(enc)] = aead
	}
	return unpad(aead, o.box, id, body)
}

// unpad opens body (nonce and ciphertext) with aead and strips the padding.
func unpad(aead cipher.AEAD, box, id string, body []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(body) < ns+aead.Overhead()+4 {
		return nil, errors.New("sealed ballot too short")
	}
	plain, err := aead.Open(nil, body[:ns], body[ns:], []byte(box+"|"+id))
	if err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(plain)
	if int(n) > len(plain)-4 {
		return nil, errors.New("sealed ballot length out of range")
	}
	// A copy: the padded plaintext is a few KiB, the payload a few hundred
	// bytes, and a mix holds an hour's payloads at once.
	return bytes.Clone(plain[4 : 4+n]), nil
}

// isV1 says whether sealed is framed as a ballot of the keyring's kind. A
// legacy ballot begins with its random nonce, and so may look framed: the
// AEAD then refuses it, and open tries it as legacy where the box has a
// legacy key (see legacy.go).
func isV1(sealed []byte) bool {
	return len(sealed) > 3 && sealed[0] == ballotV1 && 3+int(binary.BigEndian.Uint16(sealed[1:3])) < len(sealed)
}

// maxPayload is the encoded size of the longest valid answer set to d: every
// question answered at its longest (free text at its length limit in 4-byte
// characters, every option of a multiple choice), encoded as a ballot is.
func maxPayload(d *survey.Definition) int {
	answers := survey.Answers{}
	for _, q := range d.Questions {
		var a survey.Answer
		switch q.Kind {
		case survey.Text:
			a.Text = strings.Repeat("\U0010FFFF", q.MaxLength)
		case survey.Multiple:
			for _, o := range q.Options {
				a.Choices = append(a.Choices, o.Value)
			}
		case survey.Likelihood:
			a.Number = 10
		default:
			for _, o := range q.Options {
				if len(o.Value) > len(a.Choice) {
					a.Choice = o.Value
				}
			}
		}
		answers[q.ID] = a
	}
	b, err := encodeBallot(d, answers, true, commentFlags{safeguarding: true, uncertain: true})
	if err != nil {
		return 64 << 10 // cannot happen for a loaded definition; pad generously
	}
	return len(b)
}

// Fit grows the sealer's padded size, if need be, to hold the longest answers
// to d: for a survey published while the service runs. Ballots sealed after it
// are all of the new size.
func (s *Sealer) Fit(d *survey.Definition) {
	want := int64(roundUp(maxPayload(d)+4, 64))
	for {
		cur := s.grown.Load()
		if int64(s.size) >= want || cur >= want || s.grown.CompareAndSwap(cur, want) {
			return
		}
	}
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// NewSecret returns a fresh random sealing secret.
func NewSecret() []byte {
	b := make([]byte, SecretSize)
	_, _ = rand.Read(b)
	return b
}

// LoadOrCreateSecret reads the sealing secret from path, creating it (mode
// 0600, 32 random bytes) when it does not exist. It refuses a file that others
// may read.
func LoadOrCreateSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		secret := NewSecret()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("%w: create %s: %v", ErrSecret, filepath.Dir(path), err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("%w: create %s: %v", ErrSecret, path, err)
		}
		if _, err := f.Write(secret); err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: write %s: %v", ErrSecret, path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: write %s: %v", ErrSecret, path, err)
		}
		return secret, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrSecret, path, err)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s may be read by other users (mode %o); run chmod 600 on it", ErrSecret, path, info.Mode().Perm())
	}
	if len(b) != SecretSize {
		return nil, fmt.Errorf("%w: %s holds %d bytes; it must hold %d", ErrSecret, path, len(b), SecretSize)
	}
	return b, nil
}
