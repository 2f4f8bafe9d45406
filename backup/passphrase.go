package backup

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"filippo.io/age"
)

// afterScrypt collects the garbage of a passphrase's scrypt. At age's work
// factor (2^18) scrypt allocates 256 MB at once; the collection that
// allocation starts finds it live, and the runtime paces the next collection
// from that heap: a backup or restore then piled up about 1 GB of garbage
// before collecting again (GODEBUG=gctrace=1: "259->259->257 MB", then ten
// seconds later "1027->1028->2 MB, 1031 MB goal"), its whole peak above the
// 256 MB (BENCHMARKS.md). One collection once the key is derived sets the
// goal from what is really live.
func afterScrypt() { runtime.GC() }

// passphraseKey opens backups encrypted under a passphrase: it asks for the
// passphrase once, when a file turns out to be encrypted under one (never for
// a file encrypted to a recipient), and remembers the file key it unwrapped.
// Restore reads the file twice (checked, then loaded); the second read then
// costs no second scrypt, 256 MB and a second or more of CPU.
type passphraseKey struct {
	ask func() (string, error)

	id      *age.ScryptIdentity
	stanzas []*age.Stanza // the header's stanzas fileKey was unwrapped from
	fileKey []byte
}

// errNoPassphrase means a file under a passphrase was opened without one.
var errNoPassphrase = errors.New("the backup is encrypted under a passphrase")

// identity asks for the passphrase, the first time only.
func (k *passphraseKey) identity() error {
	if k.id != nil {
		return nil
	}
	if k.ask == nil {
		return fmt.Errorf("%w: give it", errNoPassphrase)
	}
	pass, err := k.ask()
	if err != nil {
		return fmt.Errorf("%w: %v", errNoPassphrase, err)
	}
	if k.id, err = age.NewScryptIdentity(pass); err != nil {
		return fmt.Errorf("passphrase: %w", err)
	}
	return nil
}

// Unwrap implements age.Identity: the same header stanzas give the same file
// key, and age checks the header's MAC with it either way.
func (k *passphraseKey) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if !slices.ContainsFunc(stanzas, func(s *age.Stanza) bool { return s.Type == "scrypt" }) {
		return nil, fmt.Errorf("%w: not encrypted under a passphrase", age.ErrIncorrectIdentity)
	}
	if err := k.identity(); err != nil {
		return nil, err
	}
	if k.fileKey != nil && slices.EqualFunc(k.stanzas, stanzas, sameStanza) {
		return slices.Clone(k.fileKey), nil
	}
	fileKey, err := k.id.Unwrap(stanzas)
	afterScrypt()
	if err != nil {
		return nil, err
	}
	k.stanzas = make([]*age.Stanza, len(stanzas))
	for i, s := range stanzas {
		k.stanzas[i] = &age.Stanza{Type: s.Type, Args: slices.Clone(s.Args), Body: slices.Clone(s.Body)}
	}
	k.fileKey = slices.Clone(fileKey)
	return fileKey, nil
}

func sameStanza(a, b *age.Stanza) bool {
	return a.Type == b.Type && slices.Equal(a.Args, b.Args) && bytes.Equal(a.Body, b.Body)
}
