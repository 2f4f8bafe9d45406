package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are the argon2id cost parameters. They are stored with each
// hash (PHC string format), so they can be raised later: a hash made with lower
// parameters is replaced at the next successful sign-in.
type PasswordParams struct {
	// Memory in KiB.
	Memory uint32
	// Iterations (argon2 "t").
	Iterations uint32
	// Parallelism (argon2 "p", lanes).
	Parallelism uint8
}

// DefaultPasswordParams follow the OWASP Password Storage Cheat Sheet's first
// argon2id option, "m=19456 (19 MiB), t=2, p=1" (checked 2026). Of its equivalent
// options this one uses the least memory per concurrent sign-in on a small host.
var DefaultPasswordParams = PasswordParams{Memory: 19456, Iterations: 2, Parallelism: 1}

const (
	saltLength = 16 // bytes; RFC 9106 recommends 128 bits
	keyLength  = 32 // bytes of derived key stored
	phcPrefix  = "$argon2id$"

	// Upper bounds accepted when parsing a stored hash, so a tampered record
	// cannot make one sign-in allocate gigabytes or spin for minutes.
	maxMemory      = 1 << 20 // KiB (1 GiB)
	maxIterations  = 64
	maxParallelism = 64
)

var errMalformedHash = errors.New("malformed password hash")

func (p PasswordParams) validate() error {
	switch {
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range", p.Memory)
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("iterations %d out of range", p.Iterations)
	case p.Parallelism < 1 || p.Parallelism > maxParallelism:
		return fmt.Errorf("parallelism %d out of range", p.Parallelism)
	}
	return nil
}

// String is the parameter part of a PHC string, "m=19456,t=2,p=1".
func (p PasswordParams) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Iterations, p.Parallelism)
}

// atLeast reports whether every parameter of p is at least q's.
func (p PasswordParams) atLeast(q PasswordParams) bool {
	return p.Memory >= q.Memory && p.Iterations >= q.Iterations && p.Parallelism >= q.Parallelism
}

// HashPassword returns the argon2id hash of password in PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func HashPassword(password string, p PasswordParams) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("password parameters: %w", err)
	}
	salt := make([]byte, saltLength)
	rand.Read(salt) // never fails (Go 1.24+)
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, keyLength)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("%sv=%d$%s$%s$%s", phcPrefix, argon2.Version, p, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC-format hash, comparing
// in constant time. A malformed hash is an error, never a match.
func VerifyPassword(hash, password string) (bool, error) {
	h, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Iterations, h.params.Memory, h.params.Parallelism, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters below p (or cannot
// be read), so that it should be replaced after the next successful sign-in.
func NeedsRehash(hash string, p PasswordParams) bool {
	h, err := parseHash(hash)
	return err != nil || !h.params.atLeast(p) || len(h.salt) < saltLength || len(h.key) < keyLength
}

type parsedHash struct {
	params    PasswordParams
	salt, key []byte
}

// parseHash reads "$argon2id$v=19$m=…,t=…,p=…$salt$key".
func parseHash(s string) (parsedHash, error) {
	var h parsedHash
	rest, ok := strings.CutPrefix(s, phcPrefix)
	if !ok {
		return h, fmt.Errorf("%w: not argon2id", errMalformedHash)
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 4 || parts[0] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("%w: want version %d and four fields", errMalformedHash, argon2.Version)
	}
	var err error
	if h.params, err = parseParams(parts[1]); err != nil {
		return h, err
	}
	b64 := base64.RawStdEncoding
	if h.salt, err = b64.DecodeString(parts[2]); err != nil || len(h.salt) < 8 {
		return h, fmt.Errorf("%w: salt", errMalformedHash)
	}
	if h.key, err = b64.DecodeString(parts[3]); err != nil || len(h.key) < 16 || len(h.key) > 128 {
		return h, fmt.Errorf("%w: key", errMalformedHash)
	}
	return h, nil
}

// parseParams reads "m=…,t=…,p=…", the cost an argon2id hash was made with.
func parseParams(s string) (PasswordParams, error) {
	var p PasswordParams
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, fmt.Errorf("%w: parameter %q", errMalformedHash, kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			if n > maxParallelism {
				return p, fmt.Errorf("%w: parallelism %d", errMalformedHash, n)
			}
			p.Parallelism = uint8(n)
		default:
			return p, fmt.Errorf("%w: parameter %q", errMalformedHash, kv)
		}
	}
	if err := p.validate(); err != nil {
		return p, fmt.Errorf("%w: %w", errMalformedHash, err)
	}
	return p, nil
}
