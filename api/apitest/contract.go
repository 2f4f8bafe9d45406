package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/feedback-service/feedback/api"
)

// The contract: every /api/ exchange a test makes through a Server's Client or
// a Browser is checked against the OpenAPI document the binary serves
// (api/openapi.json), with kin-openapi, and a mismatch fails the test.
//
//   - A request to a documented operation is validated; if the document refuses
//     it (a hostile body, say), the server must refuse it too, with a 4xx.
//   - Every response to a documented operation must match the document for its
//     status: an undocumented status, content type, header or field fails.
//   - A request to an address or method the document does not list must be
//     answered with a 4xx problem document, as the document promises.
//   - A HEAD is checked as its GET without a body. A method HTTP does not
//     define (PROPFIND, say) gets a bare 501 from Fiber's router before the
//     app sees it: that alone is let through.
//
// kin-openapi validates OpenAPI 3.1 documents with a JSON Schema 2020-12
// validator (santhosh-tekuri/jsonschema) when a schema uses 2020-12 keywords
// (const, propertyNames, …), and with its 3.0 validator otherwise.

// Contract is the loaded OpenAPI document and a router over it.
type Contract struct {
	Doc    *openapi3.T
	router routers.Router
}

var (
	contractOnce sync.Once
	contract     *Contract
	contractErr  error
)

// LoadContract loads and validates the OpenAPI document the binary serves.
func LoadContract() (*Contract, error) {
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPI())
		if err != nil {
			contractErr = fmt.Errorf("load api/openapi.json: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contractErr = fmt.Errorf("api/openapi.json is not a valid OpenAPI document: %w", err)
			return
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			contractErr = fmt.Errorf("route api/openapi.json: %w", err)
			return
		}
		contract = &Contract{Doc: doc, router: router}
	})
	return contract, contractErr
}

// checker is an http.RoundTripper that checks /api/ exchanges against the contract.
type checker struct {
	t    testing.TB
	next http.RoundTripper
	c    *Contract
}

// checked wraps next so that every /api/ exchange is checked, except in
// benchmarks, which measure the server rather than the checker.
func checked(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if _, bench := t.(*testing.B); bench {
		return next
	}
	c, err := LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	return &checker{t: t, next: next, c: c}
}

func (ck *checker) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, "/api/") {
		return ck.next.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	resp, err := ck.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err != nil {
		return resp, err
	}
	if problem := ck.c.Check(req, reqBody, resp, respBody); problem != nil {
		ck.t.Errorf("OpenAPI contract (api/openapi.json): %s %s → %d: %v\nresponse: %.600s",
			req.Method, req.URL.Path, resp.StatusCode, problem, respBody)
	}
	return resp, nil
}

// validation is serialised: kin-openapi compiles schema validators lazily.
var validationMu sync.Mutex

// Check reports how one exchange breaks the contract, or nil.
func (c *Contract) Check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	validationMu.Lock()
	defer validationMu.Unlock()
	if !standardMethod[req.Method] && resp.StatusCode == http.StatusNotImplemented {
		// Fiber's router answers a method HTTP does not define with a bare 501
		// before any of the app's handlers runs; not something the API does.
		return nil
	}
	ctx := context.Background()
	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	head := req.Method == http.MethodHead
	if head { // a HEAD is the GET without its body
		vreq.Method = http.MethodGet
	}
	route, params, err := c.router.FindRoute(vreq)
	if err != nil && len(vreq.URL.Path) > 1 && strings.HasSuffix(vreq.URL.Path, "/") {
		// Fiber routes are not strict: /api/v1/surveys/ is /api/v1/surveys.
		vreq.URL.Path = strings.TrimSuffix(vreq.URL.Path, "/")
		vreq.URL.RawPath = ""
		route, params, err = c.router.FindRoute(vreq)
	}
	if err != nil {
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			return fmt.Errorf("not in the document (%v), yet answered %d", err, resp.StatusCode)
		}
		return c.checkProblem(resp, respBody, head)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
		ExcludeResponseBody:   head,
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if reqErr := openapi3filter.ValidateRequest(ctx, in); reqErr != nil && resp.StatusCode < 400 {
		return fmt.Errorf("the document refuses a request the server accepted: %w", reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts,
	}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("response: %w", err)
	}
	if resp.StatusCode >= 400 {
		return c.checkProblem(resp, respBody, head)
	}
	return nil
}

var standardMethod = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
	http.MethodDelete: true, http.MethodConnect: true, http.MethodOptions: true, http.MethodTrace: true,
}

// CheckProblem reports how a response fails to be an RFC 9457 problem
// document as the contract's Problem schema describes it, or nil.
func (c *Contract) CheckProblem(resp *http.Response, body []byte) error {
	return c.checkProblem(resp, body, false)
}

// checkProblem checks a problem response; the answer to a HEAD has its
// headers and no body.
func (c *Contract) checkProblem(resp *http.Response, body []byte, head bool) error {
	if ct, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || ct != "application/problem+json" {
		return fmt.Errorf("Content-Type %q, want application/problem+json", resp.Header.Get("Content-Type"))
	}
	if head {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("problem document: %w", err)
	}
	schema := c.Doc.Components.Schemas["Problem"]
	if schema == nil || schema.Value == nil {
		return errors.New("no Problem schema in the document")
	}
	if err := schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("problem document: %w", err)
	}
	if status, _ := v.(map[string]any)["status"].(float64); int(status) != resp.StatusCode {
		return fmt.Errorf("problem status %v, response status %d", status, resp.StatusCode)
	}
	return nil
}
