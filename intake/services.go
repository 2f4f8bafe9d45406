package intake

import (
	"fmt"
	"regexp"
	"slices"
	"sync"
)

// Service is one service type as intake knows it: its name, the title a call
// handler chooses it by, and the built-in kind (Counselling or PeerSupport)
// whose rules it follows. cmd/feedback fills the list from the survey
// catalogue; intake learns nothing else of the survey side.
type Service struct {
	Type  ServiceType
	Title string
	Kind  ServiceType
}

// MaxServiceLength is the longest service name (the survey side's limit too).
// Its survey link ({base URL}/s/{service}) must also leave the text one SMS
// segment on the configured base URL: Outbox.UseServices checks that.
const MaxServiceLength = 32

var serviceName = regexp.MustCompile(`^[a-z][a-z-]*[a-z]$`)

// BuiltInServices are the two services intake starts with, each its own kind.
var BuiltInServices = []Service{
	{Type: Counselling, Title: "Counselling", Kind: Counselling},
	{Type: PeerSupport, Title: "Peer support", Kind: PeerSupport},
}

// Services is the list of service types intake accepts. It is safe for
// concurrent use: a service published while serving is added with Set.
type Services struct {
	mu   sync.RWMutex
	list []Service
}

// NewServices returns the list; see Set for the rules.
func NewServices(list []Service) (*Services, error) {
	s := &Services{}
	return s, s.Set(list)
}

// Set replaces the list. Each service needs a name of the right shape and
// length, and a built-in kind; the built-ins are there, as their own kind.
func (s *Services) Set(list []Service) error {
	seen := map[ServiceType]bool{}
	for _, v := range list {
		switch {
		case !serviceName.MatchString(string(v.Type)) || len(v.Type) > MaxServiceLength:
			return fmt.Errorf("service %q: a name of lower-case letters and hyphens, at most %d characters, so its survey text fits one SMS", v.Type, MaxServiceLength)
		case v.Kind != Counselling && v.Kind != PeerSupport:
			return fmt.Errorf("service %q: based on %q; it must be based on %s or %s", v.Type, v.Kind, Counselling, PeerSupport)
		case seen[v.Type]:
			return fmt.Errorf("service %q: listed twice", v.Type)
		case v.Title == "":
			return fmt.Errorf("service %q: needs a title", v.Type)
		}
		seen[v.Type] = true
	}
	for _, b := range BuiltInServices {
		if i := slices.IndexFunc(list, func(v Service) bool { return v.Type == b.Type }); i < 0 || list[i].Kind != b.Kind {
			return fmt.Errorf("service %q: built in, and its own kind", b.Type)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = slices.Clone(list)
	return nil
}

// All returns every service, in the order given.
func (s *Services) All() []Service {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.list)
}

// Kind returns the built-in kind service follows, and false for a service
// not configured.
func (s *Services) Kind(service ServiceType) (ServiceType, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.list {
		if v.Type == service {
			return v.Kind, true
		}
	}
	return "", false
}

// kindOf is the kind of service, or "" when it is not configured.
func (s *Services) kindOf(service ServiceType) ServiceType {
	k, _ := s.Kind(service)
	return k
}
