package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api"
	"github.com/feedback-service/feedback/api/apitest"
)

func TestOpenAPI_IsAValid31DocumentServedWithItsMediaType(t *testing.T) {
	c, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Doc.IsOpenAPI31OrLater() || c.Doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", c.Doc.OpenAPI)
	}
	srv := apitest.New(t)
	resp, body := srv.Get(t, "/api/v1/openapi.json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != api.OpenAPIMediaType {
		t.Fatalf("GET /api/v1/openapi.json: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.Equal([]byte(body), api.OpenAPI()) {
		t.Fatal("the served document is not the embedded one")
	}
}

// Every JSON route the app has is in the document, and every operation in the
// document is a route: neither can grow without the other.
func TestOpenAPI_DocumentsEveryAPIRouteAndNoOther(t *testing.T) {
	c, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range c.Doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	srv := apitest.New(t)
	srv.Get(t, "/healthz") // the app has started (its routes are built) once it answers
	var routed []string
	for _, r := range srv.App.App.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/") || r.Method == http.MethodHead {
			continue
		}
		routed = append(routed, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(documented)
	slices.Sort(routed)
	routed = slices.Compact(routed)
	if !slices.Equal(documented, routed) {
		t.Fatalf("document and routes differ:\ndocumented %q\nrouted     %q", documented, routed)
	}
}

// The checker itself: a response the document does not allow is caught.
func TestOpenAPI_ContractCatchesAnUndocumentedResponse(t *testing.T) {
	c, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	const list, survey, submit = "/api/v1/surveys", "/api/v1/surveys/counselling", "/api/v1/surveys/counselling/responses"
	problem := "application/problem+json"
	cases := []struct {
		name, path string
		status     int
		ctype      string
		body       string
	}{
		{"an extra field", list, 200, "application/json", `{"surveys":[],"total":0}`},
		{"an undocumented code", list, 418, problem, `{"type":"about:blank","title":"Teapot","status":418,"detail":"x"}`},
		{"a problem without detail", list, 429, problem, `{"type":"about:blank","title":"Too Many Requests","status":429}`},
		{"a problem with the wrong status", list, 429, problem, `{"type":"about:blank","title":"Too Many Requests","status":400,"detail":"x"}`},
		{"an HTML error", list, 500, "text/html", `<p>oops</p>`},
		{"no Cache-Control: no-store", survey, 200, "application/json", `{"service":"counselling","version":"1","title":"t","intro":"i","nonce":"n",` +
			`"questions":[{"id":"fft","short":"s","kind":"single","prompt":"p"},{"id":"b","short":"s","kind":"text","prompt":"p"}]}`},
		{"a wrong const", submit, 201, "application/json", `{"status":"saved"}`},
		{"a 422 without errors", submit, 422, problem, `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"x"}`},
		{"an undocumented address answered 200", "/api/v1/nope", 200, "application/json", `{}`},
	}
	for _, tc := range cases {
		method, reqBody := http.MethodGet, []byte(nil)
		if tc.path == submit { // a valid request, so only the response can fail
			method, reqBody = http.MethodPost, []byte(`{"nonce":"20261124.a.b","answers":{"fft":"good","recommend":9}}`)
		}
		req, _ := http.NewRequest(method, "http://127.0.0.1"+tc.path, nil)
		req.Header.Set("Content-Type", "application/json")
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Content-Type": {tc.ctype}, "Retry-After": {"1"}}}
		if err := c.Check(req, reqBody, resp, []byte(tc.body)); err == nil {
			t.Errorf("%s: passed the contract", tc.name)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1"+submit, nil)
	req.Header.Set("Content-Type", "application/json")
	ok := &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json"}}}
	if err := c.Check(req, []byte(`{"nonce":"20261124.a.b","answers":{"fft":"good","recommend":9}}`), ok, []byte(`{"status":"stored"}`)); err != nil {
		t.Fatalf("a valid exchange failed: %v", err)
	}
}
