package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api"
	"github.com/feedback-service/feedback/api/apitest"
)

func TestAPI_ListsSurveysAndServesADefinitionWithANonce(t *testing.T) {
	srv := apitest.New(t)
	resp, body := srv.Get(t, "/api/v1/surveys")
	var list struct {
		Surveys []struct{ Service, Version, URL string }
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list.Surveys) != 2 {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	if list.Surveys[0].URL != srv.URL+"/s/counselling" || list.Surveys[1].Service != "peer-support" {
		t.Fatalf("list %+v", list)
	}
	apitest.APINonce(t, srv, "peer-support")
	resp, body = srv.Get(t, "/api/v1/surveys/nope")
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("unknown survey: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestAPI_SubmitStoresOnceAndSaysSo(t *testing.T) {
	srv := apitest.New(t)
	body := `{"nonce":"` + apitest.APINonce(t, srv, "counselling") + `","answers":{"fft":"good","recommend":10,"helped":["wellbeing"]}}`
	resp, out := srv.PostJSON(t, "/api/v1/surveys/counselling/responses", body)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(out, `"stored"`) {
		t.Fatalf("submit: %d %s", resp.StatusCode, out)
	}
	resp, out = srv.PostJSON(t, "/api/v1/surveys/counselling/responses", body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(out, "already been stored") {
		t.Fatalf("retry: %d %s", resp.StatusCode, out)
	}
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d stored", n)
	}
	if resp.Header.Values("Set-Cookie") != nil {
		t.Fatal("Set-Cookie on the API")
	}
}

func TestAPI_HostileBodiesAreRefusedWithProblemsAndNothingStored(t *testing.T) {
	srv := apitest.New(t)
	nonce := apitest.APINonce(t, srv, "counselling")
	with := func(answers string) string { return `{"nonce":"` + nonce + `","answers":` + answers + `}` }
	cases := []struct {
		name, contentType, body string
		status                  int
		field                   string
	}{
		{"operator in value", "application/json", with(`{"fft":{"$gt":""}}`), 422, ""},
		{"operator as key", "application/json", with(`{"$where":"sleep(1000)","fft":"good"}`), 422, ""},
		{"unknown top field", "application/json", `{"nonce":"` + nonce + `","answers":{"fft":"good"},"month":"2020-01"}`, 422, ""},
		{"question that does not exist", "application/json", with(`{"fft":"good","age":"42"}`), 422, "age"},
		{"wrong type", "application/json", with(`{"fft":["good"]}`), 422, "fft"},
		{"scale out of range", "application/json", with(`{"fft":"good","recommend":11}`), 422, "recommend"},
		{"negative scale", "application/json", with(`{"fft":"good","recommend":-1}`), 422, "recommend"},
		{"huge number", "application/json", with(`{"fft":"good","recommend":123456789012345678901234567890}`), 422, "recommend"},
		{"script in text", "application/json", with(`{"fft":"good","fft_why":"<script>alert(1)</script>` + strings.Repeat("x", 1000) + `"}`), 422, "fft_why"},
		{"prototype pollution", "application/json", with(`{"__proto__":{"admin":true},"fft":"good"}`), 422, "__proto__"},
		{"deep nesting", "application/json", with(`{"fft":` + strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100) + `}`), 422, ""},
		{"invalid UTF-8", "application/json", with("{\"fft\":\"good\",\"fft_why\":\"\xc3\x28\"}"), 422, ""},
		{"NUL byte", "application/json", with(`{"fft":"good","fft_why":"a\u0000"}`), 422, "fft_why"},
		{"forged nonce", "application/json", `{"nonce":"20261124.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA","answers":{"fft":"good"}}`, 422, "nonce"},
		{"form body", "application/x-www-form-urlencoded", "fft=good", 415, ""},
		{"text/plain", "text/plain", with(`{"fft":"good"}`), 415, ""},
		{"over 16 KB", "application/json", with(`{"fft":"good","fft_why":"` + strings.Repeat("a", 17<<10) + `"}`), 413, ""},
		{"over the server limit", "application/json", strings.Repeat(" ", 1<<20), 413, ""},
		{"empty body", "application/json", ``, 422, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := srv.Do(t, http.MethodPost, "/api/v1/surveys/counselling/responses", tc.contentType, []byte(tc.body))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, out)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q", ct)
			}
			var p api.Problem
			if err := json.Unmarshal([]byte(out), &p); err != nil || p.Status != tc.status || p.Title == "" || p.Detail == "" {
				t.Fatalf("not a problem document: %s", out)
			}
			if tc.field != "" {
				found := false
				for _, e := range p.Errors {
					found = found || e.Question == tc.field
				}
				if !found {
					t.Fatalf("no error for %q in %s", tc.field, out)
				}
			}
		})
	}
	if n := srv.Count(t, "responses"); n != 0 {
		t.Fatalf("%d stored from hostile bodies", n)
	}
}
