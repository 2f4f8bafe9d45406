package commentcheck

// risky reports whether text speaks of suicide, self-harm, harm to others or
// a risk to patients. Every language's phrases are tried: people answer a
// Welsh page in English and the other way round.
func (c *Checker) risky(_ string, text string) bool {
	for _, lang := range []string{"en", "cy"} {
		for _, re := range c.risk[lang] {
			if re.MatchString(text) {
				return true
			}
		}
	}
	return false
}
