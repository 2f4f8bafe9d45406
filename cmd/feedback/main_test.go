package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects a command's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type running struct {
	out, errs *syncBuffer
	cancel    context.CancelFunc
	done      chan error
}

// start runs `feedback serve` in-process and waits until it has printed its URLs.
func start(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{out: &syncBuffer{}, errs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, args, strings.NewReader(""), r.out, r.errs) }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(r.out.String(), "Press Ctrl+C") {
		select {
		case err := <-r.done:
			t.Fatalf("serve stopped early: %v\n%s", err, r.errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) error {
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	return nil
}

func TestServe_PrintsTheSurveyURLsServesThemAndShutsDownCleanly(t *testing.T) {
	addr, dir := freeAddr(t), t.TempDir()
	r := start(t, "serve", "--addr", addr, "--data-dir", dir, "--rate-limit", "0")
	for _, want := range []string{"http://" + addr + "/s/counselling", "http://" + addr + "/s/peer-support", "embedded store"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, r.out.String())
		}
	}
	for _, path := range []string{"/s/counselling", "/s/peer-support", "/healthz", "/readyz"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, err, resp)
		}
		resp.Body.Close()
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("still answering after shutdown")
	}
	// The lock is released and the data directory is usable again.
	start(t, "--addr", addr, "--data-dir", dir)
}

func TestServe_ASecondInstanceOnTheSameDataDirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	start(t, "--addr", freeAddr(t), "--data-dir", dir)
	err := run(context.Background(), []string{"--addr", freeAddr(t), "--data-dir", dir}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("second serve: %v", err)
	}
}

func TestHelp_ListsEverySetting(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"help"}} {
		var out, errs bytes.Buffer
		err := run(context.Background(), args, nil, &out, &errs)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%v: %v", args, err)
		}
		text := out.String() + errs.String()
		for _, s := range settings {
			if !strings.Contains(text, "--"+s.flag) || !strings.Contains(text, s.env) {
				t.Errorf("%v: help lacks --%s / %s", args, s.flag, s.env)
			}
		}
	}
}

func TestConfig_EnvironmentIsTheFallbackAndFlagsWin(t *testing.T) {
	env := map[string]string{"FEEDBACK_ADDR": "127.0.0.1:9999", "FEEDBACK_RATE_LIMIT": "50", "FEEDBACK_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"}
	cfg, err := parseConfig("t", []string{"--rate-limit", "7"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9999" || cfg.RateLimit != 7 || cfg.BaseURL != "http://127.0.0.1:9999" ||
		len(cfg.TrustedProxies) != 2 || cfg.DataDir != "./data" || cfg.LogFormat != "json" ||
		cfg.SessionIdle != 30*time.Minute || cfg.SessionMax != 12*time.Hour || cfg.AdminEmail != "admin@localhost" ||
		cfg.DisclosureK != 10 {
		t.Fatalf("config %+v", cfg)
	}
	env["FEEDBACK_DISCLOSURE_K"] = "5"
	if cfg, err := parseConfig("t", nil, func(k string) string { return env[k] }, io.Discard); err != nil || cfg.DisclosureK != 5 {
		t.Fatalf("FEEDBACK_DISCLOSURE_K=5: %+v %v", cfg, err)
	}
}

func TestConfig_BadSettingsAreNamed(t *testing.T) {
	cases := map[string][]string{
		"FEEDBACK_ADDR":            {"--addr", "8080"},
		"FEEDBACK_BASE_URL":        {"--base-url", "feedback.example.org"},
		"FEEDBACK_RATE_LIMIT":      {"--rate-limit", "lots"},
		"FEEDBACK_TRUSTED_PROXIES": {"--trusted-proxies", "my-proxy"},
		"FEEDBACK_STORE_ADDR":      {"--store-addr", "0.0.0.0:27018"},
		"MONGODB_URI":              {"--mongodb-uri", "postgres://x"},
		"FEEDBACK_LOG_FORMAT":      {"--log-format", "xml"},
		"FEEDBACK_METRICS_ADDR":    {"--metrics-addr", "9090"},
		"FEEDBACK_ADMIN_EMAIL":     {"--admin-email", "admin"},
		"FEEDBACK_SESSION_IDLE":    {"--session-idle", "20s"},
		"FEEDBACK_SESSION_MAX":     {"--session-max", "20m"}, // shorter than the 30m idle timeout
	}
	for _, k := range []string{"4", "0", "-10", "ten"} {
		_, err := parseConfig("t", []string{"--disclosure-k", k}, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "FEEDBACK_DISCLOSURE_K") {
			t.Errorf("--disclosure-k %s: err %v, want one naming FEEDBACK_DISCLOSURE_K", k, err)
		}
	}
	for setting, args := range cases {
		_, err := parseConfig("t", args, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), setting) {
			t.Errorf("%v: err %v, want one naming %s", args, err, setting)
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, nil, io.Discard, io.Discard); err == nil {
		t.Error("an unknown command was accepted")
	}
}
