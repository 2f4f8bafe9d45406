package survey

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
)

// Version returns the definition of any version of service the catalogue
// knows, current or earlier: answers are always read with the version they
// were given under.
func (c *Catalogue) Version(service, version string) (*Definition, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if d, ok := c.versions[service+"|"+version]; ok {
		return d, true
	}
	if d, ok := c.byService[service]; ok && d.Version == version {
		return d, true
	}
	return nil, false
}

// Archive returns every known version that is no service's current one.
func (c *Catalogue) Archive() []*Definition {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []*Definition
	for _, key := range slices.Sorted(maps.Keys(c.versions)) {
		d := c.versions[key]
		if cur := c.byService[d.Service]; cur == nil || cur.Version != d.Version {
			out = append(out, d)
		}
	}
	return out
}

// replace makes current the services' current versions and versions every
// version known (service|version), and reports whether anything changed.
func (c *Catalogue) replace(current, versions map[string]*Definition) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	changed := len(current) != len(c.byService) || len(versions) != len(c.versions)
	for s, d := range current {
		if old, ok := c.byService[s]; !ok || old.Version != d.Version {
			changed = true
		}
	}
	if !changed {
		return false
	}
	c.byService, c.versions = current, versions
	c.ordered = slices.Collect(maps.Values(current))
	sort.Slice(c.ordered, func(i, j int) bool { return c.ordered[i].Service < c.ordered[j].Service })
	return true
}

// VersionField carries the survey version a form was rendered from, so answers
// sent after a new version is published are read, stored and counted with the
// questions the person was shown.
const VersionField = "version"

// SubmittedVersion is the survey version a JSON submission names, if any: read
// before the submission itself, which is parsed with that version's questions.
func SubmittedVersion(body []byte) string {
	var v struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Version) > 32 {
		return ""
	}
	return v.Version
}
