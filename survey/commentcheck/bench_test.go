package commentcheck

import (
	"strings"
	"testing"
)

// denseComment is about 1,000 characters: details of every kind, a risk
// phrase and ordinary prose.
var denseComment = strings.Repeat("I'm a 31 year old ST3 in paeds at the Royal Free and spoke to Dr Chen on Friday 9 May. ", 5) +
	strings.Repeat("The counsellor listened and I will ring again, though some nights I can't go on. ", 7)

// typicalComment is a comment as most are: a couple of sentences, no details.
const typicalComment = "The counsellor was kind and listened properly, and I didn't feel rushed even though it was clearly busy. " +
	"It would help if there were a text option as well as the phone. Thank you."

// benchComments are what BenchmarkCheck measures: a typical comment (180
// characters), a dense one (1,000 characters of details) and an empty-ish one.
var benchComments = []struct{ name, text string }{
	{"typical", typicalComment},
	{"dense", denseComment},
	{"empty-ish", "Thanks."},
}

func BenchmarkCheck(b *testing.B) {
	c := newChecker(b)
	for _, bc := range benchComments {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				c.Check("en", bc.text)
			}
			b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
