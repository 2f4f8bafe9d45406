package backup

import (
	"bytes"
	"context"
	"io"
	"runtime/metrics"
	"testing"

	"filippo.io/age"

	"github.com/feedback-service/feedback/store/storetest"
)

// sealed returns a small age file under the passphrase, at a cheap work factor.
func sealed(t *testing.T, text string) []byte {
	t.Helper()
	var file bytes.Buffer
	w, err := seal(&file, &Options{Passphrase: testPassphrase, scryptWorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, text); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return file.Bytes()
}

func open(t *testing.T, key *passphraseKey, file []byte) string {
	t.Helper()
	plain, _, err := decrypt(bytes.NewReader(file), key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(plain)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPassphraseKey_AsksOnceAndOpensEachFileWithItsOwnKey(t *testing.T) {
	a, b := sealed(t, "first"), sealed(t, "second")
	asked := 0
	key := &passphraseKey{ask: func() (string, error) { asked++; return testPassphrase, nil }}
	for _, c := range []struct {
		file []byte
		want string
	}{{a, "first"}, {a, "first"}, {b, "second"}, {a, "first"}} {
		if got := open(t, key, c.file); got != c.want {
			t.Fatalf("opened %q, want %q", got, c.want)
		}
	}
	if asked != 1 {
		t.Fatalf("the passphrase was asked for %d times", asked)
	}
	wrong := &passphraseKey{ask: pass("orange-kettle-harbour-94")}
	if _, _, err := decrypt(bytes.NewReader(a), wrong); err != ErrPassphrase {
		t.Fatalf("a wrong passphrase: %v", err)
	}
}

// The last collection must not have seen scrypt's memory live: the runtime
// paces the next one from what the last one found (a 256 MB scrypt had the
// backup pile up 1 GB of garbage). Work factor 16 is a 64 MB scrypt.
func TestSeal_LeavesScryptsMemoryToBeCollected(t *testing.T) {
	w, err := seal(io.Discard, &Options{Passphrase: testPassphrase, scryptWorkFactor: 16})
	if err != nil {
		t.Fatal(err)
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	if got := live[0].Value.Uint64(); got >= 64<<20 {
		t.Fatalf("the last collection found %d MB live", got>>20)
	}
	_ = w.Close()

	var file bytes.Buffer
	w, _ = seal(&file, &Options{Passphrase: testPassphrase, scryptWorkFactor: 16})
	_, _ = io.WriteString(w, "x")
	_ = w.Close()
	key := &passphraseKey{ask: pass(testPassphrase)}
	open(t, key, file.Bytes())
	metrics.Read(live)
	if got := live[0].Value.Uint64(); got >= 64<<20 {
		t.Fatalf("after opening, the last collection found %d MB live", got>>20)
	}
}

func TestWrite_WritesNothingWhenTheReadFails(t *testing.T) {
	st := storetest.New(t)
	personalData(t, st)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var file bytes.Buffer
	if _, err := Write(ctx, st.Client, &file, Options{Databases: intakeSide, Passphrase: testPassphrase, scryptWorkFactor: 10}); err == nil {
		t.Fatal("a backup with a cancelled read succeeded")
	}
	if file.Len() != 0 {
		t.Fatalf("a failed backup wrote %d bytes", file.Len())
	}
}

var _ age.Identity = (*passphraseKey)(nil)
