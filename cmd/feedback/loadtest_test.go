package main

import (
	"strings"
	"testing"
)

func TestLoadtestCommand_ChecksStoredAgainstAcknowledgedInBatches(t *testing.T) {
	addr, storeAddr := freeAddr(t), freeAddr(t)
	start(t, "serve", "--addr", addr, "--data-dir", t.TempDir(), "--store-addr", storeAddr, "--rate-limit", "0")
	out := must(t, "", "loadtest", "--url", "http://"+addr, "--concurrency", "2", "--duration", "500ms",
		"--mongodb-uri", "mongodb://"+storeAddr+"/")
	if !strings.Contains(out, "stored responses (ballots + responses): 0 before") || !strings.Contains(out, "grew by") {
		t.Fatalf("loadtest said:\n%s", out)
	}
}
