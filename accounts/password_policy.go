package accounts

import (
	"bufio"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Password rules, after NIST SP 800-63B: length matters, composition rules do
// not, and known-common passwords are refused.
const (
	// MinPasswordLength is the fewest characters (Unicode code points) a chosen password may have.
	MinPasswordLength = 12
	// MaxPasswordLength bounds the work one sign-in can ask of the server.
	MaxPasswordLength = 256
	// minDistinctCharacters refuses "aaaaaaaaaaaa" and "abababababab".
	minDistinctCharacters = 5
)

// ErrWeakPassword is wrapped by every refusal of a chosen password; the message
// says what to change.
var ErrWeakPassword = errors.New("password not accepted")

// commonPasswordsText is a few hundred of the most used passwords and base words
// in public breach corpora (the NCSC top-100k and SecLists top lists), plus words
// people here would reach for. One per line, lower case; # starts a comment.
//
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			set[strings.ToLower(line)] = true
		}
	}
	return set
})

// CheckPassword says whether password may be chosen by or for the account email
// (email may be empty). It returns an error wrapping [ErrWeakPassword] that tells
// the person what to change.
func CheckPassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return fmt.Errorf("%w: it contains characters that are not valid text", ErrWeakPassword)
	case n < MinPasswordLength:
		return fmt.Errorf("%w: use at least %d characters (this one has %d)", ErrWeakPassword, MinPasswordLength, n)
	case n > MaxPasswordLength:
		return fmt.Errorf("%w: use at most %d characters", ErrWeakPassword, MaxPasswordLength)
	case distinctRunes(password) < minDistinctCharacters:
		return fmt.Errorf("%w: it repeats too few different characters", ErrWeakPassword)
	case isCommonPassword(password):
		return fmt.Errorf("%w: it is too common and would be guessed early; try three or four unrelated words", ErrWeakPassword)
	}
	if local, _, _ := strings.Cut(strings.ToLower(email), "@"); len(local) >= 4 &&
		strings.Contains(strings.ToLower(password), local) {
		return fmt.Errorf("%w: it contains your e-mail name", ErrWeakPassword)
	}
	return nil
}

// isCommonPassword matches the list on the whole password and on its core: with
// the digits and symbols around it stripped and common letter swaps undone, so
// "P@ssw0rd2026!" is caught as "password".
func isCommonPassword(password string) bool {
	list := commonPasswords()
	lower := strings.ToLower(password)
	if list[lower] {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if core == "" {
		return false // all digits and symbols: the whole string was checked above
	}
	return list[core] || list[undoLeet(core)] || list[undoLeet(lower)]
}

var leet = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t", "+", "t")

func undoLeet(s string) string { return leet.Replace(s) }

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// passwordAlphabet has 32 characters, so a random byte masked to 5 bits picks
// one uniformly. Look-alikes (0/o, 1/l) are left out so a password read from a
// console is typed right first time.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// GeneratePassword returns a random one-time password of four groups of five
// characters, "k7qxm-3vpth-9rwa2-dz4fn": 100 bits from crypto/rand.
func GeneratePassword() string {
	var raw [20]byte
	rand.Read(raw[:]) // never fails (Go 1.24+)
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(passwordAlphabet[c&31])
	}
	return b.String()
}
