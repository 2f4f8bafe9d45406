package survey_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/feedback-service/feedback/survey"
)

// BenchmarkLibraryRefresh is the poll every instance of serve makes every 15
// seconds, on a library holding 50 versions of counselling.
func BenchmarkLibraryRefresh(b *testing.B) {
	lib, cat := newLibrary(b)
	ctx := context.Background()
	for i := 0; i < 49; i++ {
		file := variant(b, cat, func(d *survey.Definition) { d.Intro = fmt.Sprintf("Version %d of the introduction.", i) })
		if _, err := lib.Publish(ctx, file, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := lib.Refresh(ctx, cat); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLibraryPublish checks a definition and inserts it as a new version.
func BenchmarkLibraryPublish(b *testing.B) {
	lib, cat := newLibrary(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		file := variant(b, cat, func(d *survey.Definition) { d.Intro = fmt.Sprintf("Version %d of the introduction.", i) })
		if _, err := lib.Publish(ctx, file, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
