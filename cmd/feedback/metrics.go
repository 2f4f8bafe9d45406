package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/metrics"
	"github.com/feedback-service/feedback/store"
)

// watchSides connects what metrics reads from the store and the intake side:
// the SMS outbox's runs and depth, and the embedded store's size.
func watchSides(m *metrics.Metrics, st *store.Store, in *intakeSide) {
	in.outbox.Processed = func(p intake.Processed) {
		m.TextsProcessed(p.Sent, p.Retrying, p.Failed, p.Suppressed)
	}
	m.Gauge("sms_outbox_depth", "Survey texts waiting to be sent or being sent (the same figure on every instance).",
		func(ctx context.Context) (float64, error) {
			n, err := in.outbox.Depth(ctx)
			return float64(n), err
		})
	if st.Embedded {
		m.Gauge("embedded_store_bytes", "Bytes of the embedded store's files in the data directory.",
			func(context.Context) (float64, error) {
				n, err := st.Size()
				return float64(n), err
			})
	}
}

// serveMetrics answers GET /metrics on addr until the returned stop is called.
// It is a listener of its own, so the metrics need never be published with the site.
func serveMetrics(addr string, m *metrics.Metrics, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (FEEDBACK_METRICS_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
