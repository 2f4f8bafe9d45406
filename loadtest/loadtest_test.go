package loadtest_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/loadtest"
)

func TestRun_EveryAcknowledgedResponseIsStored(t *testing.T) {
	srv := apitest.New(t)
	for _, service := range []string{"counselling", "peer-support"} {
		before := srv.Count(t, "responses")
		rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: srv.URL, Service: service, Concurrency: 4, Duration: 700 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Completed < 10 || len(rep.Errors) > 0 {
			t.Fatalf("%s: %d completed, errors %v", service, rep.Completed, rep.Errors)
		}
		if grew := srv.Count(t, "responses") - before; grew != int64(rep.Completed) {
			t.Fatalf("%s: store grew by %d, %d acknowledged", service, grew, rep.Completed)
		}
		var out bytes.Buffer
		rep.Format(&out)
		if !strings.Contains(out.String(), "p95") || rep.Percentile(99) < rep.Percentile(50) {
			t.Fatalf("report: %s", out.String())
		}
	}
}

func TestRun_CountsRefusalsByKind(t *testing.T) {
	srv := apitest.New(t, apitest.WithRateLimit(6))
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: srv.URL, Service: "counselling", Concurrency: 2, Duration: 300 * time.Millisecond})
	if err == nil && rep.Errors["GET 429"]+rep.Errors["POST 429"] == 0 {
		t.Fatalf("rate-limited run reported no 429s: %+v", rep.Errors)
	}
}

func TestHello_MeasuresABareHandler(t *testing.T) {
	rep, err := loadtest.Hello(context.Background(), 2, 200*time.Millisecond)
	if err != nil || rep.Requests < 10 {
		t.Fatalf("%v %+v", err, rep)
	}
}
