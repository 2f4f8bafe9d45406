// Package commentcheck reads a survey comment before it is sealed: it
// generalises every detail that could name its writer ("[specialty] [grade]
// at [workplace]") and notices words of risk, so the thank-you page can open
// with a crisis message.
//
// Threat model: a quality lead, reading released comments, matches a detail
// (a name, specialty, grade, hospital, town, date, age, number) against what
// intake holds or what colleagues know. Nothing here may keep the original
// text: a Result holds the generalised text, categories and positions only,
// and its Reasons for uncertainty never quote a word. The rules are lists
// (data/, their sources in data/SOURCES.md) and shapes (patterns.go); a
// comment the rules are unsure of is marked Uncertain for a moderator.
//
// Read in this order: checker.go (the API), patterns.go (shapes: addresses,
// numbers, dates, times, ages, wards, numbered posts), gazetteer.go (listed
// places, workplaces, specialties, grades, and Welsh mutations), names.go
// (names: lists, titles, cues, "Will" the name and "will" the word),
// safeguarding.go and risk.go (phrasings, then words of risk in context),
// uncertain.go, lists.go (loading), trigger.go (how an expression runs only
// where its first letters start a word). The corpus in testdata/
// measures it all (corpus_test.go; figures in BENCHMARKS.md).
package commentcheck
