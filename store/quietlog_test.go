package store

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestLazyHandler_WritesTheSameLinesAsTheHandlerItWraps(t *testing.T) {
	var direct, lazy bytes.Buffer
	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}
	opts := &slog.HandlerOptions{Level: slog.LevelError, ReplaceAttr: noTime}
	a := slog.New(slog.NewJSONHandler(&direct, opts)).With("tx", 1).WithGroup("g").With("k", "v")
	b := slog.New(&lazyHandler{inner: slog.NewJSONHandler(&lazy, opts)}).With("tx", 1).WithGroup("g").With("k", "v")
	for _, l := range []*slog.Logger{a, b} {
		l.Info("dropped")
		l.Error("kept", "err", "boom")
	}
	if direct.String() != lazy.String() || !strings.Contains(lazy.String(), `"g":{"k":"v","err":"boom"}`) {
		t.Fatalf("direct %s\nlazy   %s", direct.String(), lazy.String())
	}
	if b.Enabled(context.Background(), slog.LevelInfo) {
		t.Fatal("info enabled")
	}
}

func BenchmarkLoggerWith(b *testing.B) {
	opts := &slog.HandlerOptions{Level: slog.LevelError}
	for name, l := range map[string]*slog.Logger{
		"json": slog.New(slog.NewJSONHandler(&bytes.Buffer{}, opts)),
		"lazy": slog.New(&lazyHandler{inner: slog.NewJSONHandler(&bytes.Buffer{}, opts)}),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				l.With("conn", "127.0.0.1:1234", "tx", 42).Debug("begin")
			}
		})
	}
}
