package ballotbox

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestPractitionerCheck_FollowsTheNamesAndRebuildsOnlyOnAChange(t *testing.T) {
	var names atomic.Pointer[[]string]
	none := []string{}
	names.Store(&none)
	reads := 0
	p, err := NewPractitionerCheck(context.Background(), func(context.Context) ([]string, error) {
		reads++
		return *names.Load(), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	const comment = "Prydderch was brilliant, thank you."
	if got := p.Check("en", comment).Text; got != comment {
		t.Fatalf("before the name is listed: %q", got)
	}
	listed := []string{"Ffion Prydderch"}
	names.Store(&listed)
	if err := p.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := p.Check("en", comment).Text; got != "[name] was brilliant, thank you." {
		t.Fatalf("after the name is listed: %q", got)
	}
	built := p.current.Load()
	if err := p.Refresh(context.Background()); err != nil || p.current.Load() != built {
		t.Fatalf("the same names rebuilt the check (err %v)", err)
	}
	if reads != 3 {
		t.Fatalf("names read %d times, want 3", reads)
	}
}

func TestPractitionerCheck_KeepsItsCheckWhenTheNamesCannotBeRead(t *testing.T) {
	fail := false
	p, err := NewPractitionerCheck(context.Background(), func(context.Context) ([]string, error) {
		if fail {
			return nil, errors.New("store down")
		}
		return []string{"Ffion Prydderch"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fail = true
	if err := p.Refresh(context.Background()); err == nil {
		t.Fatal("a failed read is no error")
	}
	if got := p.Check("en", "Prydderch was kind.").Text; got != "[name] was kind." {
		t.Fatalf("after a failed read: %q", got)
	}
}
