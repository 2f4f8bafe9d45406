package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var oneTimeRe = regexp.MustCompile(`one-time password:\s+(\S+)`)

func TestServe_CreatesTheFirstAdminAndPrintsItsPasswordOnceToTheConsoleOnly(t *testing.T) {
	addr, dir := freeAddr(t), t.TempDir()
	r := start(t, "serve", "--addr", addr, "--data-dir", dir, "--admin-email", "Lead@Example.NHS.uk")
	out := r.out.String()
	m := oneTimeRe.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "lead@example.nhs.uk") || !strings.Contains(out, "Sign in at http://"+addr+"/login") {
		t.Fatalf("start-up output lacks the first admin:\n%s", out)
	}
	password := m[1]
	if strings.Contains(r.errs.String(), password) {
		t.Fatal("the one-time password reached the log")
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm("http://"+addr+"/login", url.Values{"email": {"lead@example.nhs.uk"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("first sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	again := start(t, "serve", "--addr", addr, "--data-dir", dir, "--admin-email", "lead@example.nhs.uk")
	if out := again.out.String(); strings.Contains(out, "one-time password") || strings.Contains(out, password) {
		t.Fatalf("second start printed credentials:\n%s", out)
	}
	if strings.Contains(again.errs.String(), password) {
		t.Fatal("the one-time password reached the log")
	}
}
