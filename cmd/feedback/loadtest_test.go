package main

import (
	"strings"
	"testing"
)

func TestLoadtestCommand_ChecksStoredAgainstAcknowledgedInBatches(t *testing.T) {
	addr, storeAddr, dir := freeAddr(t), freeAddr(t), t.TempDir()
	start(t, "serve", "--addr", addr, "--data-dir", dir, "--store-addr", storeAddr, "--rate-limit", "0")
	out := must(t, "", "loadtest", "--url", "http://"+addr, "--concurrency", "2", "--duration", "500ms",
		"--mongodb-uri", sharedStoreURI(storeAddr, dir))
	if !strings.Contains(out, "stored responses (sealed ballots + responses): 0 before") || !strings.Contains(out, "grew by") {
		t.Fatalf("loadtest said:\n%s", out)
	}
}

func TestLoadtestCommand_InvitedPhonesOpenAnInvitationFirst(t *testing.T) {
	addr, dir := freeAddr(t), t.TempDir()
	start(t, "serve", "--addr", addr, "--data-dir", dir, "--rate-limit", "0")
	out := must(t, "", "loadtest", "--url", "http://"+addr, "--concurrency", "2", "--duration", "500ms", "--invited", "--data-dir", dir)
	if !strings.Contains(out, "responses acknowledged: ") || strings.Contains(out, "responses acknowledged: 0 ") || !strings.Contains(out, "errors: none") {
		t.Fatalf("loadtest --invited said:\n%s", out)
	}
}
