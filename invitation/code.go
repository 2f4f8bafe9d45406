// Package invitation mints and checks single-use invitation codes: proof that
// a response comes from somebody the service texted (or handed a link), and
// nothing more. A code names a service and an expiry day; it names no person,
// contact or time of sending, and nothing is recorded when one is minted. The
// only thing stored is a spent mark, a keyed hash of the code, so that a code
// is accepted once.
//
// The package belongs to neither side of the privacy wall: intake puts links
// in texts through a small interface it declares, and the survey side spends
// them; cmd/feedback wires both to one [Codes].
package invitation

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors Verify and Spend return, to test with errors.Is.
var (
	// ErrInvalid: not a code this service minted (altered, truncated, another
	// service's, or made with another secret).
	ErrInvalid = errors.New("not a valid invitation")
	// ErrExpired: a genuine code past its expiry day.
	ErrExpired = errors.New("invitation has expired")
	// ErrUsed: a genuine code already spent.
	ErrUsed = errors.New("invitation already used")
)

// builtIn are the services a code can name when Config.Services is empty, by
// index. Append only: the index is inside every code already sent.
var builtIn = []string{"counselling", "peer-support"}

// MaxServices is how many services the 4 bits of a code can name.
const MaxServices = 16

// Code layout, 15 bytes, 20 base64url characters (no padding):
//
//	byte 0      version (high 4 bits) and service index (low 4 bits)
//	bytes 1-2   expiry day, days since 1970-01-01 (UTC), big-endian
//	bytes 3-8   random: tells apart codes of the same service and day
//	bytes 9-14  HMAC-SHA256 of bytes 0-8, truncated
//
// 48 bits of MAC: a forger must guess online, against the rate limit, with a
// chance of 1 in 2^48 a try. 48 random bits: two codes of one service and day
// collide (the second then reads "already used") only after millions a day.
const (
	version    = 1
	rawLength  = 15
	macAt      = 9
	CodeLength = 20 // characters of a code in a link
	// PathPrefix is where a code goes in a link: {base URL}/i/{code}. The code
	// carries its service, so the link need not name it and the text stays short.
	PathPrefix = "/i/"
)

// DefaultTTL is how long a code is accepted when Config.TTL is zero.
const DefaultTTL = 14 * 24 * time.Hour

// MinSecretLength is the fewest bytes of secret New accepts.
const MinSecretLength = 32

var encoding = base64.RawURLEncoding

// Config tunes Codes. The zero value of each field but BaseURL gives its default.
type Config struct {
	// BaseURL is the public address links start with (FEEDBACK_BASE_URL).
	BaseURL string
	// TTL is how long a code is accepted after it is minted, in whole days
	// (default 14 days). A code is good to the end of its expiry day (UTC).
	TTL time.Duration
	// Now is the clock; required (serve passes the wall clock, tests their own).
	Now func() time.Time
	// Services are the services codes can name, by index (default: the two
	// built-in ones). The survey library numbers them, append only.
	Services []string
}

// Codes mints and verifies invitation codes. It is safe for concurrent use.
type Codes struct {
	macKey, spentKey []byte
	sealKey          []byte     // seals the blind-signing keys (see Tokens)
	macs, marks      *keyedHash // the two keys, absorbed once
	baseURL          string
	ttlDays          int
	now              func() time.Time

	mu       sync.RWMutex
	services []string // by index; only ever grows (SetServices)
}

// New returns Codes keyed by secret, which must be kept outside the database
// (whoever holds it can mint codes) and be at least [MinSecretLength] bytes.
// The MAC key and the key that hashes spent codes are derived from it apart.
func New(secret []byte, cfg Config) (*Codes, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("invitation secret: %d bytes, need at least %d", len(secret), MinSecretLength)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("invitation links: base URL %q is not an absolute http(s) address", cfg.BaseURL)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	days := int(cfg.TTL / (24 * time.Hour))
	if days < 1 || days > 366 || cfg.TTL%(24*time.Hour) != 0 {
		return nil, fmt.Errorf("invitation lifetime %v: give whole days, from 1 to 366", cfg.TTL)
	}
	if cfg.Now == nil {
		return nil, errors.New("invitation codes: no clock (Now)")
	}
	c := &Codes{baseURL: strings.TrimRight(cfg.BaseURL, "/"), ttlDays: days, now: cfg.Now, services: builtIn}
	if len(cfg.Services) > 0 {
		if err := c.SetServices(cfg.Services); err != nil {
			return nil, err
		}
	}
	if err := c.deriveKeys(secret); err != nil {
		return nil, err
	}
	c.macs, c.marks = newKeyedHash(c.macKey), newKeyedHash(c.spentKey)
	return c, nil
}

// deriveKeys derives, apart from one another, the key of the codes' MACs, the
// key that hashes spent codes and the key that seals the blind-signing keys.
func (c *Codes) deriveKeys(secret []byte) error {
	var err error
	if c.macKey, err = hkdf.Key(sha256.New, secret, nil, "feedback invitation code MAC v1", 32); err != nil {
		return fmt.Errorf("derive invitation MAC key: %w", err)
	}
	if c.spentKey, err = hkdf.Key(sha256.New, secret, nil, "feedback invitation spent mark v1", 32); err != nil {
		return fmt.Errorf("derive invitation spent-mark key: %w", err)
	}
	if c.sealKey, err = hkdf.Key(sha256.New, secret, nil, "feedback invitation blind-signing key seal v1", 32); err != nil {
		return fmt.Errorf("derive invitation seal key: %w", err)
	}
	return nil
}

// SetServices gives the services codes name, by index, when a service is
// added. The list may only grow: an index already inside a code sent must keep
// naming the same service, so a list that renumbers one is refused.
func (c *Codes) SetServices(services []string) error {
	if len(services) > MaxServices {
		return fmt.Errorf("invitation codes: %d services, more than the %d a code can name", len(services), MaxServices)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(services) < len(c.services) || !slices.Equal(services[:len(c.services)], c.services) {
		return fmt.Errorf("invitation codes: services %v would renumber %v, named by codes already sent", services, c.services)
	}
	c.services = slices.Clone(services)
	return nil
}

// service is the service of index i, or false.
func (c *Codes) service(i int) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if i >= len(c.services) {
		return "", false
	}
	return c.services[i], true
}

// Mint returns a new code for service, good until the end of the day TTL from
// today (UTC). Nothing is recorded.
func (c *Codes) Mint(service string) (string, error) {
	c.mu.RLock()
	i := slices.Index(c.services, service)
	c.mu.RUnlock()
	if i < 0 {
		return "", fmt.Errorf("mint invitation: %w: unknown service %q", ErrInvalid, service)
	}
	var raw [rawLength]byte
	raw[0] = version<<4 | byte(i)
	binary.BigEndian.PutUint16(raw[1:3], uint16(c.today()+c.ttlDays))
	if _, err := rand.Read(raw[3:macAt]); err != nil {
		return "", fmt.Errorf("mint invitation: %w", err)
	}
	copy(raw[macAt:], c.mac(raw[:macAt]))
	return encoding.EncodeToString(raw[:]), nil
}

// Link returns a new single-use link for service: {base URL}/i/{code}.
func (c *Codes) Link(service string) (string, error) {
	code, err := c.Mint(service)
	if err != nil {
		return "", err
	}
	return c.baseURL + PathPrefix + code, nil
}

// Invitation is what a verified code says: its service, and the last day it is
// accepted.
type Invitation struct {
	Service string
	Expires time.Time // midnight UTC starting the expiry day
	raw     [rawLength]byte
}

// Verify checks code's MAC, service and expiry, and returns what it says.
// It does not check whether the code has been spent: see [Store.Spend].
func (c *Codes) Verify(code string) (Invitation, error) {
	var inv Invitation
	if len(code) != CodeLength {
		return inv, ErrInvalid
	}
	n, err := encoding.Decode(inv.raw[:], []byte(code))
	if err != nil || n != rawLength {
		return inv, ErrInvalid
	}
	if !hmac.Equal(inv.raw[macAt:], c.mac(inv.raw[:macAt])) {
		return inv, ErrInvalid
	}
	service, ok := c.service(int(inv.raw[0] & 0x0f))
	if inv.raw[0]>>4 != version || !ok {
		return inv, ErrInvalid
	}
	inv.Service = service
	day := int(binary.BigEndian.Uint16(inv.raw[1:3]))
	inv.Expires = time.Unix(int64(day)*86400, 0).UTC()
	if c.today() > day {
		return inv, ErrExpired
	}
	return inv, nil
}

// VerifyFor is Verify for a page that serves one service: another service's
// code is refused as invalid.
func (c *Codes) VerifyFor(service, code string) (Invitation, error) {
	inv, err := c.Verify(code)
	if err == nil && inv.Service != service {
		return Invitation{}, ErrInvalid
	}
	return inv, err
}

func (c *Codes) mac(b []byte) []byte {
	return c.macs.sum(b)[:rawLength-macAt]
}

// spentID is the spent mark's _id: a keyed hash of the code, so the database
// holds nothing that matches the link in the SMS gateway's message log.
func (c *Codes) spentID(inv Invitation) string {
	return encoding.EncodeToString(c.marks.sum(inv.raw[:])[:16])
}

// keyedHash is HMAC-SHA256 under one key, from a pool of hashes that have
// absorbed the key already: Reset restores the keyed state, so a code's check
// costs two SHA-256 blocks instead of four (measured in BenchmarkCodeChecks).
type keyedHash struct{ pool sync.Pool }

func newKeyedHash(key []byte) *keyedHash {
	k := &keyedHash{}
	k.pool.New = func() any { return hmac.New(sha256.New, key) }
	return k
}

func (k *keyedHash) sum(b []byte) []byte {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(b)
	out := h.Sum(make([]byte, 0, sha256.Size))
	k.pool.Put(h)
	return out
}

// today is the number of days since 1970-01-01, UTC.
func (c *Codes) today() int { return int(c.now().Unix() / 86400) }
