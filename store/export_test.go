package store

// UnlockForTest releases the data directory lock as the kernel does when a
// process dies, without the clean Close that would clear the running mark.
func UnlockForTest(s *Store) {
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
}
