package commentcheck

import (
	"regexp"
	"strconv"
	"strings"
)

// pattern is a regular expression for details with a shape: addresses,
// dates, times, ages, wards and training posts. When it has a group named x,
// only that group is the detail.
type pattern struct {
	re   *regexp.Regexp
	cat  Category
	x    int                                    // the group named x, or -1
	keep func(text string, start, end int) bool // nil: every match
	need func(text string) bool                 // for a shape that may start anywhere: a cheap test it needs
}

const (
	monthsEn = `(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)`
	monthsCy = `(?:Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr)`
	weekdays = `(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?`
	ordinal  = `\d{1,2}(?:st|nd|rd|th)`
	yearRe   = `(?:19[4-9]\d|20[0-4]\d)`
	daysCy   = `(?:[dn]?dd?ydd|nydd|nos|noson) (?:Llun|Lun|Fawrth|Mawrth|Mercher|Fercher|Iau|Gwener|Wener|Sadwrn|Sul)`
	ordCy    = `\d{1,2}(?:af|il|ydd|edd|fed|ed|eg|ain)`
)

func mustPatterns(cat Category, exprs ...string) []pattern {
	ps := make([]pattern, len(exprs))
	for i, e := range exprs {
		ps[i] = pattern{re: regexp.MustCompile(e), cat: cat}
	}
	return ps
}

// shapes are tried in order; an earlier match wins over a later one that overlaps it.
var shapes = func() []pattern {
	var ps []pattern
	ps = append(ps, mustPatterns(Email,
		`[A-Za-z0-9._%+\-]+ ?@ ?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`,
		`(?i)[a-z0-9._%+\-]+\s*[(\[{<]\s*at\s*[)\]}>]\s*[a-z0-9\-]+(?:\s*(?:\.|[(\[{<]\s*dot\s*[)\]}>])\s*[a-z0-9\-]+)+`)...)
	ps = append(ps, mustPatterns(Date,
		`\b\d{4}-\d{1,2}-\d{1,2}\b`,
		`\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b`,
		`(?i)\b(?:boxing day|christmas (?:day|eve)|new year'?s? (?:eve|day)|easter (?:sunday|monday|day)|good friday|bonfire night|hogmanay|st\.? (?:david|patrick|andrew|george)'?s day|valentine'?s day|mother'?s day|father'?s day|halloween|(?:early|late|spring|summer|august|may) bank holiday|bank holiday (?:monday|weekend))\b`,
		`(?i)\b(?:[dn]?dd?ydd (?:san steffan|nadolig|calan|gŵyl dewi|gwyl dewi|sul y pasg|llun y pasg)|noswyl nadolig|nos galan|gŵyl dewi|gwyl dewi|gwener y groglith)\b`,
		`(?i)\b(?:(?:last|next|this|that) )?`+weekdays+`\b(?:,? (?:the )?(?:`+ordinal+`|\d{1,2})\b(?: of)?(?: `+monthsEn+`)?(?: `+yearRe+`)?)?`,
		`\b(?:(?:the )?(?:`+ordinal+`|\d{1,2}) (?:of )?)`+monthsEn+`\b(?:,? `+yearRe+`)?`,
		`\b`+monthsEn+` (?:`+ordinal+`|\d{1,2}\b)(?:,? `+yearRe+`)?`,
		`\b`+monthsEn+`,? `+yearRe+`\b`,
		`(?i)\b`+daysCy+`(?: (?:\d{1,2}|`+ordCy+`)(?: `+monthsCy+`)?(?: `+yearRe+`)?)?\b`,
		`\b(?:\d{1,2}|`+ordCy+`) `+monthsCy+`(?: `+yearRe+`)?\b`)...)
	ps = append(ps, pattern{re: regexp.MustCompile(`(?i)\bthe (?:` + ordinal + `)\b`), cat: Date, keep: notBeforeNoun})
	ps = append(ps, pattern{re: regexp.MustCompile(`(?i)\by(?:r)? (?:` + ordCy + `)\b`), cat: Date})
	ps = append(ps, mustPatterns(Workplace,
		`(?i)\b(?:ward|bay|bed|theatre|theatres|side room|room|cubicle|pod|trolley|resus|gwely|wely|theatr|ystafell|bae|fae) ?\d{1,3}[a-z]?\b`,
		`(?i)\bym (?P<x>mae \d{1,3}[a-z]?)\b`,
		`\b[A-Z][a-z]+(?: [A-Z][a-z]+)? (?:Ward|Unit|Wing|Suite)\b`)...)
	ps = append(ps, mustPatterns(Time,
		`(?i)\b\d{1,2}(?:[.:]\d{2})? ?(?:am|pm|a\.m\.|p\.m\.)`,
		`\b(?:[01]?\d|2[0-3]):[0-5]\d\b`,
		`(?i)\b\d{1,2} o'r gloch\b`,
		`(?i)\b(?:half past|quarter (?:past|to)|(?:five|ten|twenty|twenty-five) (?:past|to)) (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\b`,
		`(?i)\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:o'clock|in the (?:morning|afternoon|evening))\b`)...)
	ps = append(ps, mustPatterns(Age,
		`(?i)\b\d{1,2}[- ]years?[- ]old\b`,
		`(?i)\baged? \d{1,2}\b`,
		`(?i)\b\d{1,2} (?:mlwydd )?oed\b`)...)
	ps = append(ps, pattern{re: regexp.MustCompile(`(?i)\b(?:i'm|im|i am|i was|i turned|i'll be|i will be|turned|at|at the age of|rwy'n|dwi'n|roeddwn i'n) (?P<x>\d{1,2})\b`), cat: Age, keep: plausibleAge})
	ps = append(ps, mustPatterns(Date, `\b`+yearRe+`\b`)...)
	ps = append(ps, pattern{re: regexp.MustCompile(`(?i)\b(?:gmc|nmc|gdc|hcpc|nhs|registration|reg|reference|ref|id|rhif)(?: number| no\.?| rhif| cofrestru)?(?: is| yw| ydy)?:? ?#?(?P<x>\d{4,})`), cat: Number})
	ps = append(ps, mustPatterns(Grade,
		`\b(?:FY|F)[12]s?\b`,
		`\b(?:CT|ST|CST|IMT|GPST|GPStR|ACCS|HST|BST|ACF|ACL|StR|SpR|DCT|PGY)[1-8]s?\b`,
		`(?i)\b(?:first|second|third|fourth|fifth|sixth|final|1st|2nd|3rd|4th|5th|6th)[- ]years?(?:[- ](?:medical|med|dental|graduate-entry|gep))?(?:[- ](?:students?|medics?|undergrad(?:uate)?s?))?\b`,
		`(?i)\byear [1-6]\b`,
		`(?i)\b[mf]yfyr(?:iwr|wraig|wyr) meddygol(?: yn y (?:gyntaf|ail|drydedd|bedwaredd|bumed|chweched|olaf) flwyddyn)?`,
		`(?i)\b(?:gyntaf|ail|drydedd|bedwaredd|bumed|chweched|olaf) flwyddyn\b`)...)
	ps[0].need = func(text string) bool { return strings.IndexByte(text, '@') >= 0 }
	ps[1].need = bracketedAt
	ps[16].need = func(text string) bool {
		return strings.Contains(text, "Ward") || strings.Contains(text, "Unit") || strings.Contains(text, "Wing") || strings.Contains(text, "Suite")
	}
	for i := range ps {
		if strings.Contains(ps[i].re.String(), weekdays) {
			ps[i].keep = notAWord
		}
		ps[i].x = ps[i].re.SubexpIndex("x")
		if err := shapeIndex.add(ps[i].re); err != nil {
			panic(err)
		}
	}
	return ps
}()

// shapeIndex runs each shape only where it may match (trigger.go).
var shapeIndex = &triggerIndex{}

// notAWord keeps a weekday unless it is a short form that is also a word,
// typed in lower case with nothing after it: "I sat in the car", "the sun"
// and "wed" are no dates; "Sat", "sat 3rd" and "saturday" are.
func notAWord(text string, start, end int) bool {
	m := text[start:end]
	for _, lead := range []string{"last ", "next ", "this ", "that "} {
		if len(m) > len(lead) && strings.EqualFold(m[:len(lead)], lead) {
			m = m[len(lead):]
			break
		}
	}
	if strings.ContainsRune(m, ' ') || strings.ContainsRune(m, ',') {
		return true // a date follows
	}
	if lower := strings.ToLower(m); strings.HasSuffix(lower, "day") || strings.HasSuffix(lower, "days") {
		return true
	}
	return capitalised(m)
}

// bracketedAt reports "(at)", "[ at ]" and the like, which an address written
// to dodge a filter needs.
func bracketedAt(text string) bool {
	for i := 0; i < len(text); i++ {
		if strings.IndexByte("([{<", text[i]) < 0 {
			continue
		}
		j := i + 1
		for j < len(text) && isRegexpSpace(text[j]) {
			j++
		}
		if hasFoldPrefix(text[j:], "at") {
			return true
		}
	}
	return false
}

// isRegexpSpace is \s: tab, newline, form feed, carriage return, space.
func isRegexpSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

// notBeforeNoun keeps "the 21st" as a date unless a noun follows ("the 3rd attempt").
func notBeforeNoun(text string, _, end int) bool {
	next := firstWord(text[end:])
	switch next {
	case "time", "times", "attempt", "try", "year", "years", "floor", "day", "week", "month", "person",
		"place", "round", "one", "cycle", "trimester", "degree", "wave", "dose", "baby", "child", "go", "century":
		return false
	}
	return true
}

// plausibleAge keeps "I'm 31" as an age: 16 to 99 and no unit after it.
func plausibleAge(text string, start, end int) bool {
	n, err := strconv.Atoi(text[start:end])
	if err != nil || n < 16 || n > 99 {
		return false
	}
	if strings.HasPrefix(text[end:], ".") || strings.HasPrefix(text[end:], ":") || strings.HasPrefix(text[end:], "%") {
		return len(text) == end+1 || text[end+1] == ' '
	}
	switch firstWord(text[end:]) {
	case "minutes", "mins", "minute", "hours", "hrs", "hour", "days", "day", "weeks", "week", "months", "month",
		"years", "year", "patients", "people", "percent", "per", "times", "calls", "miles", "mins'", "am", "pm", "o'clock", "munud", "awr", "diwrnod":
		return false
	}
	return true
}

func firstWord(s string) string {
	s = strings.TrimLeft(s, " ,")
	end := strings.IndexAny(s, " ,.;:!?)")
	if end < 0 {
		end = len(s)
	}
	return strings.ToLower(s[:end])
}

// patterns finds the details with a shape, then digit runs.
func (c *Checker) patterns(lang, text string, spans []found) []found {
	var buf [64]hit
	hits := shapeIndex.candidates(text, buf[:0])
	for id, p := range shapes {
		n := 0
		for n < len(hits) && hits[n].id == int32(id) {
			n++
		}
		mine := hits[:n]
		hits = hits[n:]
		if shapeIndex.exprs[id].anywhere {
			if p.need != nil && !p.need(text) {
				continue
			}
		} else if len(mine) == 0 {
			continue
		}
		shapeIndex.findAll(text, int32(id), mine, func(m []int) {
			start, end := m[0], m[1]
			if p.x > 0 {
				start, end = m[2*p.x], m[2*p.x+1]
			}
			if covered(spans, start, end) || (p.keep != nil && !p.keep(text, start, end)) {
				return
			}
			spans = append(spans, found{start, end, p.cat})
		})
	}
	return digitRuns(text, spans)
}

// digitRuns generalises long numbers as survey.Redact removes them: 10 or
// more digits, however spaced, are a phone number when they start with 0 or
// +, 7 or more are a number (a GMC reference has 7).
func digitRuns(text string, spans []found) []found {
	for i := 0; i < len(text); {
		end, digits := NumberRun(text, i)
		if end == i {
			i++
			continue
		}
		if digits >= 7 && !covered(spans, i, end) {
			cat := Number
			if digits >= 10 && (text[i] == '0' || text[i] == '+') {
				cat = Phone
			}
			spans = append(spans, found{i, end, cat})
		}
		i = end
	}
	return spans
}

// separators are what people type inside a number.
const separators = " -.()/,"

// NumberRun measures a run of digits starting at i, allowing up to four
// separators in a row between digits and a leading "+", and returns its end
// (i when there is none) and how many digits it holds: survey.Redact's rule too.
func NumberRun(s string, i int) (end, digits int) {
	start := i
	if i < len(s) && s[i] == '+' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) || (start > 0 && isDigit(s[start-1])) {
		return start, 0
	}
	end = i
	for i < len(s) {
		switch {
		case isDigit(s[i]):
			digits++
			i++
			end = i
		case strings.IndexByte(separators, s[i]) >= 0:
			j := i
			for j < len(s) && strings.IndexByte(separators, s[j]) >= 0 && j-i < 4 {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				i = j
				continue
			}
			return end, digits
		default:
			return end, digits
		}
	}
	return end, digits
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
