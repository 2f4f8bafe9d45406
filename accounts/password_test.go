package accounts

import (
	"regexp"
	"strings"
	"testing"
)

// cheapParams keep tests that hash many times fast; they are only ever used
// where the test is about something other than the cost.
var cheapParams = PasswordParams{Memory: 64, Iterations: 1, Parallelism: 1}

func TestDefaultPasswordParams_MeetOWASPMinimum(t *testing.T) {
	// OWASP Password Storage Cheat Sheet: argon2id m=19456 KiB, t=2, p=1 (or an
	// equivalent trade of memory for iterations).
	p := DefaultPasswordParams
	if p.Memory < 19456 || p.Iterations < 2 || p.Parallelism < 1 {
		t.Fatalf("default parameters %s are below OWASP's m=19456,t=2,p=1", p)
	}
}

func TestHashPassword_IsPHCStringWithItsParameters(t *testing.T) {
	h, err := HashPassword(testPassword, DefaultPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Fatalf("hash %q is not a PHC argon2id string with the default parameters", h)
	}
	if strings.Contains(h, testPassword) {
		t.Fatal("hash contains the password")
	}
}

func TestHashPassword_SaltsEveryHash(t *testing.T) {
	a, _ := HashPassword(testPassword, cheapParams)
	b, _ := HashPassword(testPassword, cheapParams)
	if a == b {
		t.Fatal("two hashes of one password are equal: no random salt")
	}
}

func TestVerifyPassword_AcceptsOnlyTheRightPassword(t *testing.T) {
	h, _ := HashPassword(testPassword, cheapParams)
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{testPassword, true},
		{strings.ToUpper(testPassword), false},
		{testPassword + " ", false},
		{"", false},
	} {
		ok, err := VerifyPassword(h, tc.password)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tc.password, ok, err, tc.want)
		}
	}
}

func TestVerifyPassword_RejectsMalformedHashes(t *testing.T) {
	good, _ := HashPassword(testPassword, cheapParams)
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	for name, h := range map[string]string{
		"empty":           "",
		"bcrypt":          "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":         strings.Replace(good, "argon2id", "argon2i", 1),
		"other version":   strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":     strings.Replace(good, "m=64", "m=99999999", 1),
		"zero iterations": strings.Replace(good, "t=1", "t=0", 1),
		"unknown param":   strings.Replace(good, "p=1", "x=1", 1),
		"bad salt":        strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"missing key":     strings.Join(parts[:5], "$"),
	} {
		ok, err := VerifyPassword(h, testPassword)
		if ok || err == nil {
			t.Errorf("%s: VerifyPassword = %v, %v; want no match and an error", name, ok, err)
		}
	}
}

func TestNeedsRehash_WhenAnyParameterIsBelowCurrent(t *testing.T) {
	current := PasswordParams{Memory: 128, Iterations: 2, Parallelism: 1}
	for _, tc := range []struct {
		made PasswordParams
		want bool
	}{
		{current, false},
		{PasswordParams{Memory: 256, Iterations: 3, Parallelism: 2}, false},
		{PasswordParams{Memory: 64, Iterations: 2, Parallelism: 1}, true},
		{PasswordParams{Memory: 128, Iterations: 1, Parallelism: 1}, true},
	} {
		h, _ := HashPassword(testPassword, tc.made)
		if got := NeedsRehash(h, current); got != tc.want {
			t.Errorf("hash made with %s: NeedsRehash = %v, want %v", tc.made, got, tc.want)
		}
	}
	if !NeedsRehash("garbage", current) {
		t.Error("an unreadable hash does not need replacing")
	}
}

// BenchmarkVerifyPassword measures one sign-in's hashing at the default
// parameters (the sub-benchmark is named for them, e.g. m=19456,t=2,p=1).
func BenchmarkVerifyPassword(b *testing.B) {
	h, err := HashPassword(testPassword, DefaultPasswordParams)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("argon2id_"+DefaultPasswordParams.String(), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, _ := VerifyPassword(h, testPassword); !ok {
				b.Fatal("no match")
			}
		}
	})
}
