package survey

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The catalogue: the surveys the service offers, loaded from the embedded
// definition files (which seed the library, library.go) and kept current by it.

//go:embed definitions/*.json
var embedded embed.FS

// LoadEmbedded loads the survey definitions built into the binary.
// Each must carry its Welsh: the service users' pages are offered in both.
func LoadEmbedded() (*Catalogue, error) {
	c, err := Load(embedded, "definitions")
	if err != nil {
		return nil, err
	}
	for _, d := range c.ordered {
		if d.Cy == nil {
			return nil, fmt.Errorf("survey definition %s: needs its Welsh (a \"cy\" block for the survey and each question)", d.Service)
		}
	}
	return c, nil
}

// Catalogue is the set of surveys the service offers, one per service type.
type Catalogue struct {
	mu        sync.RWMutex // a publish changes a service's current version while pages read it
	byService map[string]*Definition
	ordered   []*Definition
	versions  map[string]*Definition // service|version → every version known (library.go)
}

// Load reads every *.json file in dir of fsys as a definition, and refuses the
// whole set if any one breaks the rules, naming the file and the problem.
func Load(fsys fs.FS, dir string) (*Catalogue, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read survey definitions: %w", err)
	}
	c := &Catalogue{byService: map[string]*Definition{}}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		file := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("survey definition %s: %w", file, err)
		}
		def, err := ParseDefinition(data)
		if err != nil {
			return nil, fmt.Errorf("survey definition %s: %w", file, err)
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); def.Service != want {
			return nil, fmt.Errorf("survey definition %s: service %q must match the file name %q", file, def.Service, want)
		}
		c.byService[def.Service] = def
		c.ordered = append(c.ordered, def)
	}
	if len(c.ordered) == 0 {
		return nil, fmt.Errorf("survey definitions: no *.json files in %s", dir)
	}
	sort.Slice(c.ordered, func(i, j int) bool { return c.ordered[i].Service < c.ordered[j].Service })
	return c, nil
}

// Get returns the survey for a service type.
func (c *Catalogue) Get(service string) (*Definition, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.byService[service]
	return d, ok
}

// All returns every survey, ordered by service type.
func (c *Catalogue) All() []*Definition {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.ordered)
}
