// Package apitest starts the real HTTP app on a real embedded store, listening
// on a loopback port, for tests that speak real HTTP to it.
package apitest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/api"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// Server is a running app and the store behind it.
type Server struct {
	URL       string
	Store     *store.Store
	Responses *survey.Responses
	Surveys   *survey.Catalogue
	// Logs holds everything the app logged.
	Logs *SyncBuffer
	// Client does not follow redirects, so tests see the 303s.
	Client *http.Client
}

// Option changes the configuration of a test server.
type Option func(*api.Config, *survey.Options)

// WithRateLimit sets the per-client limit (requests a minute).
func WithRateLimit(n int) Option { return func(c *api.Config, _ *survey.Options) { c.RateLimit = n } }

// WithTrustedProxies makes the app believe X-Forwarded-For from these addresses.
func WithTrustedProxies(p ...string) Option {
	return func(c *api.Config, _ *survey.Options) { c.TrustedProxies = p }
}

// WithClock makes the survey side read time from now.
func WithClock(now func() time.Time) Option {
	return func(_ *api.Config, o *survey.Options) { o.Now = now }
}

// New starts a server on a fresh embedded store and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return NewOn(t, storetest.New(t), opts...)
}

// NewOn starts a server on an existing store.
func NewOn(t testing.TB, st *store.Store, opts ...Option) *Server {
	t.Helper()
	cfg := api.Config{RateLimit: 0, SupportPhone: "0330 123 4567"}
	sopts := survey.Options{}
	for _, o := range opts {
		o(&cfg, &sopts)
	}
	logs := &SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	sopts.Logger = logger
	catalogue, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	responses := survey.NewResponses(st.Database(store.SurveyDatabase), sopts)
	ctx := context.Background()
	if err := responses.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := responses.Keys().Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "http://" + ln.Addr().String()
	srv, err := api.New(cfg, api.Deps{Store: st, Surveys: catalogue, Responses: responses, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		responses.Close()
	})
	return &Server{
		URL: cfg.BaseURL, Store: st, Responses: responses, Surveys: catalogue, Logs: logs,
		Client: &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Get sends a GET and returns the response with its body read.
func (s *Server) Get(t testing.TB, path string) (*http.Response, string) {
	t.Helper()
	return s.Do(t, http.MethodGet, path, "", nil)
}

// PostForm sends a form as a browser would.
func (s *Server) PostForm(t testing.TB, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return s.Do(t, http.MethodPost, path, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// PostJSON sends a raw JSON body.
func (s *Server) PostJSON(t testing.TB, path, body string) (*http.Response, string) {
	t.Helper()
	return s.Do(t, http.MethodPost, path, "application/json", []byte(body))
}

// Do sends one request.
func (s *Server) Do(t testing.TB, method, path, contentType string, body []byte) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var nonceRe = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// FormNonce fetches the survey form and returns the nonce it carries.
func (s *Server) FormNonce(t testing.TB, service string) string {
	t.Helper()
	resp, body := s.Get(t, "/s/"+service)
	m := nonceRe.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET /s/%s: status %d, no nonce in the form", service, resp.StatusCode)
	}
	return m[1]
}

// Collection returns a collection of the survey database.
func (s *Server) Collection(name string) *mongo.Collection {
	return s.Store.Database(store.SurveyDatabase).Collection(name)
}

// Count counts the documents in a survey-database collection.
func (s *Server) Count(t testing.TB, collection string) int64 {
	t.Helper()
	n, err := s.Collection(collection).CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
