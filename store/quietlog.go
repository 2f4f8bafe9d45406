package store

import (
	"context"
	"log/slog"
	"slices"
)

// lazyHandler defers the work of WithAttrs and WithGroup until a record is
// actually written. The embedded store derives a logger with attributes for
// every transaction; with a JSON or text handler that means formatting them
// each time, about 4 % of the server's CPU under load, for lines that are
// almost never written (only errors are).
type lazyHandler struct {
	inner slog.Handler
	ops   []func(slog.Handler) slog.Handler
}

func (h *lazyHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *lazyHandler) Handle(ctx context.Context, r slog.Record) error {
	inner := h.inner
	for _, op := range h.ops {
		inner = op(inner)
	}
	return inner.Handle(ctx, r)
}

func (h *lazyHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &lazyHandler{inner: h.inner, ops: append(slices.Clip(h.ops), func(in slog.Handler) slog.Handler { return in.WithAttrs(attrs) })}
}

func (h *lazyHandler) WithGroup(name string) slog.Handler {
	return &lazyHandler{inner: h.inner, ops: append(slices.Clip(h.ops), func(in slog.Handler) slog.Handler { return in.WithGroup(name) })}
}
