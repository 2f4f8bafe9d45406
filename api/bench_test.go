package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

// BenchmarkSurveyPage measures GET /s/counselling over real HTTP: a fresh nonce
// and a rendered form per request.
func BenchmarkSurveyPage(b *testing.B) {
	srv := apitest.New(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(srv.URL + "/s/counselling")
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("GET: %v", err)
			}
			resp.Body.Close()
		}
	})
}

// BenchmarkFormSubmit measures POST /s/counselling over real HTTP with a complete
// valid form, up to the 303: validation, redaction, the batched store write.
func BenchmarkFormSubmit(b *testing.B) {
	srv := apitest.New(b)
	bodies := make([]string, b.N)
	for i := range bodies {
		bodies[i] = url.Values{
			"nonce": {srv.FormNonce(b, "counselling")}, "website": {""}, "fft": {"good"},
			"fft_why": {"Kind, quick and practical. Thank you."}, "ease": {"easy"}, "listened": {"yes"},
			"recommend": {"9"}, "helped": {"work"},
		}.Encode()
	}
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			resp, err := client.Post(srv.URL+"/s/counselling", "application/x-www-form-urlencoded", strings.NewReader(bodies[i]))
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				b.Fatalf("POST: %v %v", err, resp)
			}
			resp.Body.Close()
		}
	})
}
