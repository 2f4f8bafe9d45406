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

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/metrics"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// Server is a running app and the store behind it.
type Server struct {
	URL       string
	Store     *store.Store
	Responses *ballotbox.Responses
	// Invitations mints single-use invitations the app accepts at /i/.
	Invitations *invitation.Codes
	// Releaser releases sealed ballots (with a K of 1: see NewOn), and Sealer
	// seals them.
	Releaser *ballotbox.Releaser
	Sealer   *ballotbox.Sealer
	Surveys  *survey.Catalogue
	// Library holds every published survey version (seeded from the embedded
	// files); RefreshSurveys makes the app follow a publish at once.
	Library  *survey.Library
	Accounts *accounts.Store
	// Dashboards reads the counters afresh on every request; comments of the
	// current month are re-read after Refresh.
	Dashboards *dashboards.Dashboards
	// App is the running app, for tests that walk its routes.
	App *api.Server
	// Intake holds identities, in its own database (intake.Database) of the same store.
	Intake *intake.Store
	// Logs holds everything the app logged.
	Logs *SyncBuffer
	// Client does not follow redirects, so tests see the 303s. Its /api/
	// exchanges are checked against the OpenAPI document (see Contract).
	Client *http.Client

	t testing.TB
}

// Options are what a test server is built with.
type Options struct {
	API        api.Config
	Survey     ballotbox.Options
	Accounts   accounts.Config
	Dashboards dashboards.Options
	// IntakeNow is the intake side's clock. A clock left nil, here or in
	// Survey, Accounts or Dashboards, is clocktest.Wall.
	IntakeNow func() time.Time
	// Requests counts answered requests; nil counts nothing.
	Requests api.RequestObserver
}

// WithMetrics counts requests and stored responses in m.
func WithMetrics(m *metrics.Metrics) Option {
	return func(o *Options) { o.Requests, o.Survey.Observer = m, m }
}

// Option changes the configuration of a test server.
type Option func(*Options)

// WithRateLimit sets the per-client limit (requests a minute).
func WithRateLimit(n int) Option { return func(o *Options) { o.API.RateLimit = n } }

// WithTrustedProxies makes the app believe X-Forwarded-For from these addresses.
func WithTrustedProxies(p ...string) Option {
	return func(o *Options) { o.API.TrustedProxies = p }
}

// WithClock makes the survey side read time from now.
func WithClock(now func() time.Time) Option {
	return func(o *Options) { o.Survey.Now = now }
}

// WithDisclosureK sets the fewest responses a month needs to be published.
func WithDisclosureK(k int) Option { return func(o *Options) { o.Dashboards.K = k } }

// WithStaffClock makes staff accounts, sessions and the sign-in lockout read
// time from now.
func WithStaffClock(now func() time.Time) Option {
	return func(o *Options) { o.Accounts.Now = now }
}

// WithAccounts sets the accounts configuration (timeouts, lockout); its clock
// and password parameters are kept unless set.
func WithAccounts(cfg accounts.Config) Option {
	return func(o *Options) {
		if cfg.Now == nil {
			cfg.Now = o.Accounts.Now
		}
		if cfg.PasswordParams == (accounts.PasswordParams{}) {
			cfg.PasswordParams = o.Accounts.PasswordParams
		}
		o.Accounts = cfg
	}
}

// WithDashboardsClock makes the dashboards read time from now (by default the
// survey side's clock): what "this month" is, and so what is published.
func WithDashboardsClock(now func() time.Time) Option {
	return func(o *Options) { o.Dashboards.Now = now }
}

// WithIntakeClock makes intake (ages, weeks, texts) read time from now.
func WithIntakeClock(now func() time.Time) Option {
	return func(o *Options) { o.IntakeNow = now }
}

// WithBaseURL makes the app believe it is published at base (say
// https://feedback.example), while it still listens on plain loopback HTTP.
func WithBaseURL(base string) Option { return func(o *Options) { o.API.BaseURL = base } }

// testPasswordParams are argon2id at its cheapest, so tests that sign in many
// times stay quick under -race. The accounts tests use the real parameters.
var testPasswordParams = accounts.PasswordParams{Memory: 64, Iterations: 1, Parallelism: 1}

// New starts a server on a fresh embedded store and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return NewOn(t, storetest.New(t), opts...)
}

// NewOn starts a server on an existing store.
func NewOn(t testing.TB, st *store.Store, opts ...Option) *Server {
	t.Helper()
	o := Options{
		API:      api.Config{RateLimit: 0, SupportPhone: "0330 123 4567"},
		Accounts: accounts.Config{PasswordParams: testPasswordParams},
	}
	for _, opt := range opts {
		opt(&o)
	}
	for _, now := range []*func() time.Time{&o.Survey.Now, &o.Accounts.Now, &o.IntakeNow} {
		if *now == nil {
			*now = clocktest.Wall
		}
	}
	cfg := o.API
	logs := &SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	sv := openSurveySide(t, st, o.Survey, logger)
	acc, in := openRecords(t, st, o)
	dash := openDashboards(t, st, sv.catalogue, o, sv.now, logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	local := "http://" + ln.Addr().String()
	if cfg.BaseURL == "" {
		cfg.BaseURL = local
	}
	srv, err := api.New(cfg, api.Deps{Store: st, Surveys: sv.catalogue, Responses: sv.responses, Accounts: acc, Intake: in, Dashboards: dash,
		Logger: logger, Requests: o.Requests, Invitations: sv.codes, InvitationLinks: sv.codes, Tokens: sv.tokens,
		SurveyLibrary: sv.library, SurveysPublished: followLibrary(sv.library, sv.catalogue, sv.sealer, dash),
		CommentNamesSaved: sv.namesSaved, Now: clocktest.Wall})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		sv.responses.Close()
	})
	return &Server{
		URL: local, Store: st, Responses: sv.responses, Releaser: sv.releaser, Sealer: sv.sealer, Invitations: sv.codes, Surveys: sv.catalogue,
		Library: sv.library, Accounts: acc, Intake: in, Dashboards: dash, Logs: logs, App: srv, t: t,
		Client: &http.Client{
			Timeout:       30 * time.Second,
			Transport:     checked(t, newTransport()),
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
	expectContinue(req, body)
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

// NonceInForm finds the nonce field of a survey form; its match 1 is the nonce.
var NonceInForm = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// FormNonce fetches the survey form and returns the nonce it carries.
func (s *Server) FormNonce(t testing.TB, service string) string {
	t.Helper()
	resp, body := s.Get(t, "/s/"+service)
	m := NonceInForm.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET /s/%s: status %d, no nonce in the form", service, resp.StatusCode)
	}
	return m[1]
}

// Collection returns a collection of the survey database.
func (s *Server) Collection(name string) *mongo.Collection {
	return s.Store.Database(store.SurveyDatabase).Collection(name)
}

// Count counts the documents in a survey-database collection. "responses"
// counts every stored response: sealed ballots not yet released as well.
func (s *Server) Count(t testing.TB, collection string) int64 {
	t.Helper()
	n, err := s.Collection(collection).CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if collection == "responses" {
		names, err := ballotbox.BallotCollections(context.Background(), s.Store.Database(store.SurveyDatabase))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			n += s.Count(t, name)
		}
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

// newTransport waits for "100 Continue" before sending a large body.
func newTransport() *http.Transport {
	return &http.Transport{ExpectContinueTimeout: 5 * time.Second, MaxIdleConnsPerHost: 16}
}

// expectContinue asks before sending a body over the server's limit, as a
// careful client does: the server refuses it with 413 before it is sent,
// instead of closing the connection under a client still writing (which shows
// as a flaky "connection reset").
func expectContinue(req *http.Request, body []byte) {
	if len(body) > 32<<10 {
		req.Header.Set("Expect", "100-continue")
	}
}

// ReleaseAll releases every month's sealed ballots now, due or not, and has
// the dashboards read the counters again.
func (s *Server) ReleaseAll(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	boxes, err := ballotbox.PendingBoxes(ctx, s.Store.Database(store.SurveyDatabase))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boxes {
		if _, err := s.Releaser.Release(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Dashboards.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}
