package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// job is one piece of periodic work of `feedback serve`: run first after
// After, then every Every, each run given at most Timeout (0: no limit).
type job struct {
	Name                  string
	After, Every, Timeout time.Duration
	Run                   func(context.Context) error
}

// scheduler runs jobs in the background until stop, which waits for a run in
// progress to end. It is the one place serve's periodic work is timed.
type scheduler struct {
	logger *slog.Logger
	cancel context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup
}

func newScheduler(logger *slog.Logger) *scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &scheduler{logger: logger, ctx: ctx, cancel: cancel}
}

// start runs j until stop.
func (s *scheduler) start(j job) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.loop(j)
	}()
}

// stop ends every job and waits for them.
func (s *scheduler) stop() {
	s.cancel()
	s.wg.Wait()
}

// loop runs j at its times. A failed run is logged under the job's name and
// tried again at the next turn; one cut short by stop is not an error.
func (s *scheduler) loop(j job) {
	t := time.NewTimer(j.After)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := s.ctx, context.CancelFunc(func() {})
		if j.Timeout > 0 {
			ctx, cancel = context.WithTimeout(s.ctx, j.Timeout)
		}
		err := j.Run(ctx)
		cancel()
		if err != nil && s.ctx.Err() == nil {
			s.logger.Error(j.Name, "err", err)
		}
		t.Reset(j.Every)
	}
}
