package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestScheduler_RunsEachJobAfterItsDelayThenEveryIntervalUntilStop(t *testing.T) {
	var logs syncBuffer
	s := newScheduler(slog.New(slog.NewTextHandler(&logs, nil)))
	var quick, late atomic.Int32
	s.start(job{Name: "quick", Every: 5 * time.Millisecond, Run: func(context.Context) error {
		quick.Add(1)
		return errors.New("quick failed")
	}})
	s.start(job{Name: "late", After: time.Hour, Every: time.Hour, Run: func(context.Context) error { late.Add(1); return nil }})
	deadline := time.Now().Add(5 * time.Second)
	for quick.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	s.stop()
	n := quick.Load()
	time.Sleep(20 * time.Millisecond)
	if n < 3 || quick.Load() != n || late.Load() != 0 {
		t.Fatalf("quick ran %d times (then %d after stop), late %d; want at least 3, none after stop, late none", n, quick.Load(), late.Load())
	}
	if !strings.Contains(logs.String(), "quick failed") {
		t.Fatalf("a failed run is not logged: %s", logs.String())
	}
}

func TestScheduler_StopWaitsForARunAndCancelsIt(t *testing.T) {
	s := newScheduler(slog.New(slog.DiscardHandler))
	started, finished := make(chan struct{}), make(chan struct{})
	s.start(job{Name: "long", Every: time.Hour, Timeout: time.Hour, Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(finished)
		return ctx.Err()
	}})
	<-started
	s.stop()
	select {
	case <-finished:
	default:
		t.Fatal("stop returned before the run ended")
	}
}
