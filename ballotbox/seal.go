package ballotbox

import (
	"bytes"
	"crypto/hkdf"
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
// an AEAD under the box key of its month and padded to one fixed size, so the
// write that acknowledges it says nothing of its service, answers or length.
// Box keys derive from a sealing secret that is never stored in the database
// (a replica set's oplog would keep it beside the ballots) and from a random
// salt per box that is deleted when the box is released: from then on no copy
// of a released ballot can be opened, even by someone holding the secret.

// SecretSize is the length of the sealing secret in bytes.
const SecretSize = 32

// ErrSecret means the sealing secret is missing or malformed.
var ErrSecret = errors.New("sealing secret")

// Sealer seals and opens ballots with keys derived from the sealing secret.
type Sealer struct {
	secret []byte
	size   int // padded plaintext size, the same for every ballot
	// grown is the padded size once a survey published since start-up needs
	// more (see Fit); 0 until then.
	grown atomic.Int64
}

// NewSealer returns a sealer for secret, padding every ballot to the largest
// answer set any survey in cat can produce.
func NewSealer(secret []byte, cat *survey.Catalogue) (*Sealer, error) {
	if len(secret) != SecretSize {
		return nil, fmt.Errorf("%w: %d bytes; it must be %d", ErrSecret, len(secret), SecretSize)
	}
	size := 0
	for _, d := range append(cat.All(), cat.Archive()...) {
		size = max(size, maxPayload(d))
	}
	// 4 bytes say how long the payload is; the rest is padding.
	return &Sealer{secret: secret, size: roundUp(size+4, 64)}, nil
}

// PaddedSize is the plaintext size every ballot is padded to.
func (s *Sealer) PaddedSize() int {
	if g := s.grown.Load(); g > 0 {
		return int(g)
	}
	return s.size
}

// boxKey derives the key of the box with the given salt.
func (s *Sealer) boxKey(box string, salt []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, s.secret, salt, "feedback ballot box "+box, chacha20poly1305.KeySize)
}

// seal pads payload and encrypts it under key, bound to the ballot's box and _id.
func (s *Sealer) seal(key []byte, box, id string, payload []byte) ([]byte, error) {
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
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+size+aead.Overhead())
	_, _ = rand.Read(out)
	return aead.Seal(out, out, plain, []byte(box+"|"+id)), nil
}

// plainBuffers recycles the padded plaintext: one a ballot, a few KiB each,
// was a fair part of the garbage collector's work under load.
var plainBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// open decrypts a sealed ballot and strips its padding.
func open(key []byte, box, id string, sealed []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead()+4 {
		return nil, errors.New("sealed ballot too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(box+"|"+id))
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
	b, err := encodeBallot(d, answers, true)
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
