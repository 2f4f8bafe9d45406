package commentcheck

import "strings"

// risky reports whether text speaks of suicide, self-harm, harm to others or
// a risk to patients. Every language's phrases are tried: people answer a
// Welsh page in English and the other way round.
func (c *Checker) risky(_ string, text string, toks []token) bool {
	if c.riskWords.risky(toks) {
		return true
	}
	lower := strings.ToLower(text)
	var buf [32]hit
	return c.risk.matchAny(lower, c.risk.candidates(lower, buf[:0]))
}
