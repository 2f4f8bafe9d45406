//go:build unix

package commentcheck

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system CPU time so far. On a busy
// machine a benchmark's wall time counts the time other processes ran; its CPU
// time does not, so BenchmarkCheck reports both (cpu-ns/op; run with -cpu 1).
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
