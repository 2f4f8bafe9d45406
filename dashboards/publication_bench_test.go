package dashboards_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkAnnouncePublication_NothingDue is the hourly job's cost once a
// month is announced and every notice has gone: it reads the subscribers and
// the notices and sends nothing.
func BenchmarkAnnouncePublication_NothingDue(b *testing.B) {
	d, _, mailer, _, _ := publicationSetup(b, func(string, int) int { return http.StatusCreated })
	ctx := context.Background()
	for i := range 50 {
		if err := d.Subscribe(ctx, fmt.Sprintf("lead%d@example.nhs.uk", i), true); err != nil {
			b.Fatal(err)
		}
	}
	if _, n, err := d.AnnouncePublication(ctx, mailer, "https://feedback.example"); err != nil || n != 53 {
		b.Fatalf("first run: %d sent, %v", n, err)
	}
	for b.Loop() {
		if _, n, err := d.AnnouncePublication(ctx, mailer, "https://feedback.example"); err != nil || n != 0 {
			b.Fatalf("%d sent, %v", n, err)
		}
	}
}
