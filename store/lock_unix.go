//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive advisory lock on dir, held until the returned
// function is called or the process exits (the kernel drops it even on SIGKILL).
func lockDir(dir string) (func(), error) {
	path := filepath.Join(dir, "feedback.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("embedded store: open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("embedded store: data directory %s is already in use by another feedback process; "+
				"stop it, choose another FEEDBACK_DATA_DIR, or share one store with --store-addr and MONGODB_URI", dir)
		}
		return nil, fmt.Errorf("embedded store: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// privateFiles makes every file this process creates from now on readable by
// its user only: SQLite creates the store's files after it starts (a database
// on its first write, logs on demand) with 0644 otherwise.
func privateFiles() { syscall.Umask(0o077) }
