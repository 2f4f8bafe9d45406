package intakepages_test

import (
	"context"
	"sync"
)

// invitations stands in for the survey side's invitation counts.
type invitations struct {
	mu     sync.Mutex
	counts map[string]int // "service|day"
}

func (c *invitations) CountInvitation(_ context.Context, service, day string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[service+"|"+day]++
	return nil
}
