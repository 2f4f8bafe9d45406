package accounts

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		password, email string
		wantErr         string // "" means accepted
	}{
		{"correct-otter-lantern-42", "", ""},
		{"Tea at four by the canal", "jo@example.nhs.uk", ""},
		{"ünïcödé-pässwörd", "", ""},
		{"short-pass", "", "at least 12 characters (this one has 10)"},
		{"ĉĉĉĉĉĉĉĉĉĉĉ", "", "at least 12"}, // 11 characters, 22 bytes
		{strings.Repeat("abcdefgh", 33), "", "at most 256"},
		{"aaaaaaaaaaaaaaaa", "", "too few different characters"},
		{"abababababababab", "", "too few different characters"},
		{"password1234", "", "too common"},
		{"Password2026!", "", "too common"},
		{"P@ssw0rd-2026", "", "too common"},
		{"qwertyuiop123", "", "too common"},
		{"123456789012", "", "too common"},
		{"!!Sunshine!!2026", "", "too common"},
		{"Doctor123456", "", "too common"},
		{"jo.bloggs-rules-ok", "jo.bloggs@example.nhs.uk", "e-mail name"},
		{"invalid-\xff-utf8-text", "", "not valid text"},
	} {
		err := CheckPassword(tc.password, tc.email)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("CheckPassword(%q) = %v, want accepted", tc.password, err)
		case tc.wantErr != "" && (err == nil || !errors.Is(err, ErrWeakPassword) || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("CheckPassword(%q) = %v, want ErrWeakPassword saying %q", tc.password, err, tc.wantErr)
		}
	}
}

func TestCommonPasswordList_HoldsAFewHundredLowerCaseEntries(t *testing.T) {
	list := commonPasswords()
	if n := len(list); n < 250 {
		t.Fatalf("%d common passwords embedded, want a few hundred", n)
	}
	for p := range list {
		if p != strings.ToLower(p) {
			t.Errorf("entry %q is not lower case and can never match", p)
		}
	}
}

func TestGeneratePassword_IsLongReadableUniqueAndAcceptable(t *testing.T) {
	shape := regexp.MustCompile(`^[a-km-np-z2-9]{5}(-[a-km-np-z2-9]{5}){3}$`)
	seen := map[string]bool{}
	for range 200 {
		p := GeneratePassword()
		if !shape.MatchString(p) {
			t.Fatalf("generated %q: want four groups of five unambiguous characters", p)
		}
		if seen[p] {
			t.Fatalf("generated %q twice", p)
		}
		seen[p] = true
	}
}
