package ballotbox

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/feedback-service/feedback/survey/commentcheck"
)

// PractitionerCheck is the comment check with the practitioners' names admins
// list in the survey library's settings (survey.Library.PractitionerNames):
// whoever reads the comments may know the counsellors, and a writer may name
// the one who took their call. Refresh reads the names again; the checker is
// rebuilt (about 100 ms) only when they changed, and swapped in whole, so a
// submission never waits for it.
type PractitionerCheck struct {
	names func(context.Context) ([]string, error)

	mu      sync.Mutex // one rebuild at a time, so the last names read win
	current atomic.Pointer[namedCheck]
}

type namedCheck struct {
	names []string
	check CommentCheck
}

// NewPractitionerCheck reads the names with names and builds the check.
func NewPractitionerCheck(ctx context.Context, names func(context.Context) ([]string, error)) (*PractitionerCheck, error) {
	p := &PractitionerCheck{names: names}
	if err := p.Refresh(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// Check reads a comment with the names as they were at the last Refresh.
func (p *PractitionerCheck) Check(lang, text string) commentcheck.Result {
	return p.current.Load().check.Check(lang, text)
}

// Refresh reads the names and, if they changed, rebuilds the check. On an
// error the check in use stays.
func (p *PractitionerCheck) Refresh(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	names, err := p.names(ctx)
	if err != nil {
		return fmt.Errorf("comment check: %w", err)
	}
	if cur := p.current.Load(); cur != nil && slices.Equal(cur.names, names) {
		return nil
	}
	var check CommentCheck
	if len(names) == 0 {
		check, err = builtInCheck() // shared: no second copy of the lists
	} else {
		check, err = commentcheck.New(commentcheck.Options{Practitioners: names})
	}
	if err != nil {
		return fmt.Errorf("comment check with the practitioners' names: %w", err)
	}
	p.current.Store(&namedCheck{names: names, check: check})
	return nil
}
