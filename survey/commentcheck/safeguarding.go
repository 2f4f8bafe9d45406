package commentcheck

import "strings"

// risky reports whether text speaks of suicide, self-harm, harm to others or
// a risk to patients. Every language's phrases are tried: people answer a
// Welsh page in English and the other way round.
func (c *Checker) risky(_ string, text string) bool {
	lower := strings.ToLower(text)
	for _, re := range c.risk {
		if re.MatchString(lower) {
			return true
		}
	}
	return false
}
