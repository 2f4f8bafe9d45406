package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

func runTokensCmd(t *testing.T, st *store.Store, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runTokens(context.Background(), st, args, &out, &errOut)
	return out.String() + errOut.String(), err
}

var printedToken = regexp.MustCompile(`(?m)^  (fbk_[A-Za-z0-9_-]{43})$`)

func TestTokens_AddShowsTheTokenOnceListAndRevoke(t *testing.T) {
	st := storetest.New(t)
	out, err := runTokensCmd(t, st, "add", "--name", "board pack script", "--role", "quality", "--expires", "2999-01-01")
	m := printedToken.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("add: %v\n%s", err, out)
	}
	acc := accountsOf(t, st)
	tok, err := acc.AuthenticateToken(context.Background(), m[1])
	if err != nil {
		t.Fatalf("the printed token does not open: %v", err)
	}
	list, err := runTokensCmd(t, st, "list")
	if err != nil || !strings.Contains(list, tok.ID) || !strings.Contains(list, "live until 2999-01-01") || strings.Contains(list, m[1]) {
		t.Fatalf("list: %v\n%s", err, list)
	}
	if out, err := runTokensCmd(t, st, "revoke", tok.ID); err != nil {
		t.Fatalf("revoke: %v %s", err, out)
	}
	if _, err := acc.AuthenticateToken(context.Background(), m[1]); !errors.Is(err, accounts.ErrNoToken) {
		t.Fatalf("a revoked token: %v", err)
	}
	if list, _ := runTokensCmd(t, st, "list"); !strings.Contains(list, "revoked") {
		t.Fatalf("list after revoking:\n%s", list)
	}
}

func TestTokens_RefusesARoleThatCouldChangeAnything(t *testing.T) {
	st := storetest.New(t)
	for _, args := range [][]string{
		{"add", "--name", "x", "--role", "admin"},
		{"add", "--name", "x", "--role", "intake"},
		{"add", "--name", "x"},
		{"add", "--role", "quality"},
		{"add", "--name", "x", "--role", "quality", "--expires", "tomorrow"},
		{"revoke", "nope"},
		{"revoke"},
	} {
		if out, err := runTokensCmd(t, st, args...); err == nil || printedToken.MatchString(out) {
			t.Errorf("%v: accepted\n%s", args, out)
		}
	}
}
