package commentcheck

import (
	"sort"
	"strings"
)

// Category is a kind of identifying detail; a generalised comment shows it in
// place of the detail.
type Category string

// The categories, in the order a quality lead would meet them.
const (
	Name      Category = "name"
	Specialty Category = "specialty"
	Grade     Category = "grade"
	Workplace Category = "workplace"
	Place     Category = "place"
	Date      Category = "date"
	Time      Category = "time"
	Age       Category = "age"
	Number    Category = "number"
	Phone     Category = "phone"
	Email     Category = "email"
)

// markers are what replaces a detail, by language.
var markers = map[string]map[Category]string{
	"en": {Name: "[name]", Specialty: "[specialty]", Grade: "[grade]", Workplace: "[workplace]",
		Place: "[place]", Date: "[date]", Time: "[time]", Age: "[age]", Number: "[number]",
		Phone: "[phone number]", Email: "[email]"},
	"cy": {Name: "[enw]", Specialty: "[arbenigedd]", Grade: "[gradd]", Workplace: "[gweithle]",
		Place: "[lle]", Date: "[dyddiad]", Time: "[amser]", Age: "[oed]", Number: "[rhif]",
		Phone: "[rhif ffôn]", Email: "[e-bost]"},
}

// Marker is what a detail of category c becomes in a comment in lang ("en" or
// "cy"; any other language reads English).
func Marker(lang string, c Category) string {
	if m, ok := markers[lang]; ok {
		return m[c]
	}
	return markers["en"][c]
}

// Span is one generalised detail: its category and where its marker stands in
// Result.Text. It holds nothing of the original detail, not even its length.
type Span struct {
	Category Category `json:"category"`
	Start    int      `json:"start"`
	End      int      `json:"end"`
}

// Reason says why a comment needs a moderator's eyes before a quality lead's.
type Reason string

// Reasons for Uncertain. None of them carries the word that caused it.
const (
	UnknownCapitalised Reason = "unknown capitalised word"
	UnknownFirstWord   Reason = "unknown word at a sentence's start"
	ShortNumber        Reason = "digit run of 5 or 6 digits"
	NameLikePhrase     Reason = "name-like phrase"
)

// Result is a checked comment. Text is all that may be kept of it.
type Result struct {
	// Text is the comment as a quality lead would read it: normalised, each
	// identifying detail replaced with its category's marker.
	Text string
	// Safeguarding is true when the comment speaks of suicide, self-harm, harm
	// to others or a risk to patients.
	Safeguarding bool
	// Generalised lists the markers in Text, in order.
	Generalised []Span
	// Uncertain is true when something in Text may still identify the writer;
	// Reasons says what, without quoting it.
	Uncertain bool
	Reasons   []Reason
}

// Counts is how many details of each category were generalised.
func (r Result) Counts() map[Category]int {
	n := map[Category]int{}
	for _, s := range r.Generalised {
		n[s.Category]++
	}
	return n
}

// found is a detail found in the normalised text, before replacement.
type found struct {
	start, end int
	cat        Category
}

// Check generalises text written in lang ("en" or "cy") and looks for words of
// risk. It is safe for concurrent use.
func (c *Checker) Check(lang, text string) Result {
	if lang != "cy" {
		lang = "en"
	}
	text = Normalise(text)
	var res Result
	buf := tokenBuffers.Get().(*[]token)
	toks := appendTokens((*buf)[:0], text)
	defer func() {
		if cap(toks) <= maxPooled {
			clear(toks) // keep no comment's words alive in the pool
			*buf = toks[:0]
			tokenBuffers.Put(buf)
		}
	}()
	c.annotate(toks)
	res.Safeguarding = c.risky(lang, text, toks)
	spans := c.patterns(lang, text, nil)
	spans = c.gazetteer(lang, text, toks, spans)
	spans = c.names(lang, text, toks, spans)
	res.Text, res.Generalised = rewrite(lang, text, spans)
	res.Reasons = c.uncertain(lang, text, toks, spans)
	res.Uncertain = len(res.Reasons) > 0
	return res
}

// covered reports whether [start,end) overlaps a span already found.
func covered(spans []found, start, end int) bool {
	for _, s := range spans {
		if start < s.end && s.start < end {
			return true
		}
	}
	return false
}

// rewrite replaces each span with its marker, merging neighbours of one
// category separated only by spaces ("Amara" "Okafor" is one name).
func rewrite(lang, text string, spans []found) (string, []Span) {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var merged []found
	for _, s := range spans {
		if n := len(merged); n > 0 && merged[n-1].cat == s.cat && strings.TrimSpace(text[merged[n-1].end:s.start]) == "" {
			merged[n-1].end = s.end
			continue
		}
		merged = append(merged, s)
	}
	var b strings.Builder
	b.Grow(len(text))
	out := make([]Span, 0, len(merged))
	last := 0
	for _, s := range merged {
		b.WriteString(text[last:s.start])
		m := Marker(lang, s.cat)
		out = append(out, Span{Category: s.cat, Start: b.Len(), End: b.Len() + len(m)})
		b.WriteString(m)
		last = s.end
	}
	b.WriteString(text[last:])
	return b.String(), out
}
