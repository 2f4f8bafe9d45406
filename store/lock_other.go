//go:build !unix

package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir uses an exclusive create where advisory locks are unavailable; a stale
// lock file left by a crash must then be removed by hand.
func lockDir(dir string) (func(), error) {
	path := filepath.Join(dir, "feedback.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("embedded store: data directory %s is in use (lock file %s): %w", dir, path, err)
	}
	return func() { _ = f.Close(); _ = os.Remove(path) }, nil
}

// privateFiles does nothing where there is no umask.
func privateFiles() {}
