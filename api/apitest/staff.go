package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/clocktest"
)

// StaffPassword is the password AddStaff gives every account.
const StaffPassword = "correct-otter-lantern-42"

// Browser is one person's browser: its own cookie jar, and redirects not
// followed so tests see them.
type Browser struct {
	URL  string
	HTTP *http.Client
}

// Browser returns a new browser with an empty cookie jar. Its /api/ exchanges
// are checked against the OpenAPI document, as the Server's Client's are.
func (s *Server) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{URL: s.URL, HTTP: &http.Client{
		Jar: jar, Timeout: 30 * time.Second, Transport: checked(s.t, newTransport()),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var staffCount atomic.Int64

// AddStaff adds an enabled account with StaffPassword and the given roles.
func (s *Server) AddStaff(t testing.TB, email string, roles ...accounts.Role) {
	t.Helper()
	_, err := s.Accounts.Add(context.Background(), accounts.ActorCLI, accounts.NewUser{
		Email: email, Name: "Test " + strings.Split(email, "@")[0], Roles: roles, Password: StaffPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// SignIn signs in through the login form in a new browser, failing the test
// unless it is redirected onwards.
func (s *Server) SignIn(t testing.TB, email, password string) *Browser {
	t.Helper()
	b := s.Browser()
	resp, body := b.PostForm(t, "/login", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d\n%s", email, resp.StatusCode, body)
	}
	return b
}

// Staff adds an account with the given roles and signs it in, returning the
// browser and the account's e-mail.
func (s *Server) Staff(t testing.TB, roles ...accounts.Role) (*Browser, string) {
	t.Helper()
	email := fmt.Sprintf("staff%d@example.nhs.uk", staffCount.Add(1))
	s.AddStaff(t, email, roles...)
	return s.SignIn(t, email, StaffPassword), email
}

// Get sends a GET with the browser's cookies.
func (b *Browser) Get(t testing.TB, path string) (*http.Response, string) {
	t.Helper()
	return b.Do(t, http.MethodGet, path, "", nil, nil)
}

// PostForm sends a form as the browser would.
func (b *Browser) PostForm(t testing.TB, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return b.Do(t, http.MethodPost, path, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
}

// Do sends one request with extra headers.
func (b *Browser) Do(t testing.TB, method, path, contentType string, body []byte, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, b.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	expectContinue(req, body)
	resp, err := b.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(out)
}

// Cookie returns the value of the named cookie the browser would send, or "".
func (b *Browser) Cookie(name string) string {
	u, _ := url.Parse(b.URL)
	for _, c := range b.HTTP.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// CSRF returns the session's CSRF token, as the staff API gives it.
func (b *Browser) CSRF(t testing.TB) string {
	t.Helper()
	resp, body := b.Get(t, "/api/staff/session")
	var s struct {
		Token string `json:"csrf_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &s) != nil || s.Token == "" {
		t.Fatalf("GET /api/staff/session: %d %s", resp.StatusCode, body)
	}
	return s.Token
}

// Clock is a settable clock for WithStaffClock and WithClock: the tests' one
// clock, clocktest.Clock.
type Clock = clocktest.Clock

// NewClock returns a clock stopped at a fixed weekday morning (Tuesday 24
// November 2026, 09:00 UTC), or at FEEDBACK_TEST_NOW when set.
func NewClock() *Clock { return clocktest.NewAt(clockWritten) }

// clockWritten is the date NewClock's tests were written for.
var clockWritten = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// OnCalendar moves a time a test names, written for November 2026 and the
// months around it, to the same place in the month NewClock starts in (see
// clocktest.Shift), for a test that needs a place in the month.
func OnCalendar(t time.Time) time.Time { return clocktest.Shift(clockWritten, t) }

// Month is the month a test names as y-m ("2006-01"), on the same calendar.
func Month(y int, m time.Month) string {
	return OnCalendar(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)).Format("2006-01")
}
