//go:build pprof

package main

// A profiling build (go build -tags pprof) serves net/http/pprof on
// FEEDBACK_PPROF_ADDR, for the CPU profiles behind BENCHMARKS.md.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("FEEDBACK_PPROF_ADDR"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
