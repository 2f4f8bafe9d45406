package accounts

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// ErrInvalidEmail is wrapped by errors about a malformed e-mail address.
var ErrInvalidEmail = errors.New("not a valid e-mail address")

// maxEmailLength is the longest address SMTP allows (RFC 5321 path limit).
const maxEmailLength = 254

// NormaliseEmail returns the address in the form accounts are keyed by: trimmed
// and lower-case. It accepts a bare address only ("jo@example.nhs.uk", not
// "Jo <jo@…>"); a host without a dot is allowed for admin@localhost.
func NormaliseEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidEmail)
	}
	if len(e) > maxEmailLength {
		return "", fmt.Errorf("%w: longer than %d characters", ErrInvalidEmail, maxEmailLength)
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || addr.Name != "" {
		return "", fmt.Errorf("%w: %q", ErrInvalidEmail, s)
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(e, " \t\"") {
		return "", fmt.Errorf("%w: %q", ErrInvalidEmail, s)
	}
	return e, nil
}

// lockoutKey is the lockout's key for an account: the typed address, normalised
// as far as it can be, whether or not it names an account.
func lockoutKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
