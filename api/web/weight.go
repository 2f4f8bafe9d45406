package web

import (
	"strconv"
	"strings"
)

// Weight is the weight ("q") a header listing tokens with weights, such as
// Accept-Encoding or Accept-Language, gives token: "cy", "cy-GB" and
// "cy;q=0.8" all count for "cy", a token listed without a weight has 1, and
// one not listed (or with a malformed weight) has 0. The best of several
// listings wins; case is ignored.
func Weight(header, token string) float64 {
	best := 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		if tag != token && !strings.HasPrefix(tag, token+"-") {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		best = max(best, q)
	}
	return best
}
