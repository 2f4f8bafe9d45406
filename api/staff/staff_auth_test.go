package staff_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

const (
	badCredentials = "Enter a correct e-mail address and password"
)

// withCookie is a new browser holding only the given session cookie, as a
// stolen or stale cookie would be replayed.
func withCookie(t *testing.T, srv *apitest.Server, value string) *apitest.Browser {
	t.Helper()
	b := srv.Browser()
	u, _ := url.Parse(srv.URL)
	b.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: apitest.SessionCookie, Value: value, Path: "/"}})
	return b
}

func TestSignIn_StartsASessionAndSignOutEndsIt(t *testing.T) {
	srv := apitest.New(t)
	srv.AddStaff(t, "jo@example.nhs.uk", accounts.RoleQuality)
	b := srv.Browser()

	resp, body := b.Get(t, "/login")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<label class="prompt" for="email">`) ||
		!strings.Contains(body, `type="password"`) || !strings.Contains(body, `autocomplete="current-password"`) {
		t.Fatalf("GET /login: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "not an emergency service") {
		t.Error("the service users' emergency footer is on the staff sign-in page")
	}
	resp, _ = b.PostForm(t, "/login", url.Values{"email": {" Jo@Example.NHS.uk "}, "password": {apitest.StaffPassword}})
	apitest.WantRedirect(t, "sign in", resp, "/staff")
	id := b.Cookie(apitest.SessionCookie)
	if id == "" {
		t.Fatal("no session cookie after signing in")
	}
	resp, body = b.Get(t, "/staff")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Test jo") || !strings.Contains(body, `action="/logout"`) {
		t.Fatalf("GET /staff signed in: %d\n%s", resp.StatusCode, body)
	}

	resp, _ = b.PostForm(t, "/logout", url.Values{"csrf": {apitest.CSRFIn(t, body)}})
	apitest.WantRedirect(t, "sign out", resp, "/login?signed_out=1")
	if b.Cookie(apitest.SessionCookie) != "" {
		t.Error("the session cookie was not cleared at sign-out")
	}
	resp, _ = b.Get(t, "/staff")
	apitest.WantRedirect(t, "after sign-out", resp, "/login?next=%2Fstaff")
	// The session has ended on the server too: the old cookie opens nothing.
	resp, _ = withCookie(t, srv, id).Get(t, "/staff")
	apitest.WantRedirect(t, "replaying the signed-out cookie", resp, "/login?next=%2Fstaff")
	// Signing out again, with no session, just goes to the sign-in page.
	resp, _ = b.PostForm(t, "/logout", url.Values{})
	apitest.WantRedirect(t, "sign out twice", resp, "/login")
}

func TestSignIn_GivesANewSessionIDEveryTimeAndEndsTheBrowsersOldOne(t *testing.T) {
	srv := apitest.New(t)
	b, email := srv.Staff(t, accounts.RoleIntake)
	first := b.Cookie(apitest.SessionCookie)
	resp, _ := b.PostForm(t, "/login", url.Values{"email": {email}, "password": {apitest.StaffPassword}})
	apitest.WantRedirect(t, "second sign-in", resp, "/staff")
	second := b.Cookie(apitest.SessionCookie)
	if second == "" || second == first {
		t.Fatalf("session ID not renewed at sign-in: %q then %q", first, second)
	}
	resp, _ = withCookie(t, srv, first).Get(t, "/staff")
	apitest.WantRedirect(t, "the replaced session", resp, "/login?next=%2Fstaff")
}

func TestSignIn_FailureIsGenericKeepsTheEmailAndNeverEchoesThePassword(t *testing.T) {
	srv := apitest.New(t)
	srv.AddStaff(t, "jo@example.nhs.uk", accounts.RoleQuality)
	var bodies []string
	for _, email := range []string{"jo@example.nhs.uk", "nobody@example.nhs.uk"} {
		b := srv.Browser()
		resp, body := b.PostForm(t, "/login", url.Values{"email": {email}, "password": {"Wrong-Guess-Pass-1"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d", email, resp.StatusCode)
		}
		for _, want := range []string{badCredentials, `value="` + email + `"`, `href="#email"`, "<title>Error: Sign in", `id="password-error"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", email, want)
			}
		}
		if strings.Contains(body, "Wrong-Guess-Pass-1") {
			t.Errorf("%s: the password was echoed", email)
		}
		if strings.Count(body, badCredentials) != 3 { // summary, e-mail, password
			t.Errorf("%s: message shown %d times", email, strings.Count(body, badCredentials))
		}
		if resp.Header.Values("Set-Cookie") != nil || b.Cookie(apitest.SessionCookie) != "" {
			t.Errorf("%s: a cookie after a failed sign-in", email)
		}
		bodies = append(bodies, strings.ReplaceAll(body, email, "E"))
	}
	if bodies[0] != bodies[1] {
		t.Error("a wrong password and an unknown account give different pages")
	}

	resp, body := srv.Browser().PostForm(t, "/login", url.Values{"email": {""}, "password": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#email">Enter your e-mail address</a>`) ||
		!strings.Contains(body, `<a href="#password">Enter your password</a>`) {
		t.Fatalf("empty form: %d\n%s", resp.StatusCode, body)
	}
}

func TestSignIn_LocksOutAfterFiveFailuresWithAGenericMessage(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithStaffClock(clock.Now))
	srv.AddStaff(t, "jo@example.nhs.uk", accounts.RoleQuality)
	attempt := func(email, password string) (*http.Response, string) {
		return srv.Browser().PostForm(t, "/login", url.Values{"email": {email}, "password": {password}})
	}
	var lockedPages []string
	for _, email := range []string{"jo@example.nhs.uk", "nobody@example.nhs.uk"} {
		for i := 1; i <= 5; i++ {
			if resp, _ := attempt(email, "Wrong-Guess-Pass-1"); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%s: failure %d: status %d", email, i, resp.StatusCode)
			}
			clock.Advance(10 * time.Second) // past the growing delay between guesses
		}
		resp, body := attempt(email, apitest.StaffPassword)
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Try again later") {
			t.Fatalf("%s: after 5 failures, the right password: %d\n%s", email, resp.StatusCode, body)
		}
		if wait, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 15*60 {
			t.Fatalf("%s: a locked sign-in's Retry-After %q", email, resp.Header.Get("Retry-After"))
		}
		lockedPages = append(lockedPages, strings.ReplaceAll(body, email, "E"))
	}
	if lockedPages[0] != lockedPages[1] {
		t.Error("a locked real account and a locked unknown address give different pages")
	}
	clock.Advance(16 * time.Minute)
	if resp, _ := attempt("jo@example.nhs.uk", apitest.StaffPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lock: %d", resp.StatusCode)
	}
}

func TestSession_EndsWhenIdleAndAtTheAbsoluteTimeout(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithStaffClock(clock.Now),
		apitest.WithAccounts(accounts.Config{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 2 * time.Hour}))

	idle, _ := srv.Staff(t, accounts.RoleQuality)
	clock.Advance(29 * time.Minute)
	if resp, _ := idle.Get(t, "/staff"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d", resp.StatusCode)
	}
	clock.Advance(31 * time.Minute)
	resp, _ := idle.Get(t, "/staff")
	apitest.WantRedirect(t, "after 31 idle minutes", resp, "/login?next=%2Fstaff")
	if idle.Cookie(apitest.SessionCookie) != "" {
		t.Error("the cookie of an ended session was not cleared")
	}

	busy, _ := srv.Staff(t, accounts.RoleQuality)
	for used := 0; used < 4; used++ { // used every 25 minutes, up to 1h40
		clock.Advance(25 * time.Minute)
		if resp, _ := busy.Get(t, "/staff"); resp.StatusCode != http.StatusOK {
			t.Fatalf("in use after %d×25 minutes: %d", used+1, resp.StatusCode)
		}
	}
	clock.Advance(25 * time.Minute) // 2h05 after sign-in
	resp, _ = busy.Get(t, "/staff")
	apitest.WantRedirect(t, "past the absolute timeout", resp, "/login?next=%2Fstaff")
}

func TestOneTimePassword_MustBeChangedBeforeAnythingElse(t *testing.T) {
	srv := apitest.New(t)
	ctx := context.Background()
	if _, err := srv.Accounts.Add(ctx, accounts.ActorCLI, accounts.NewUser{
		Email: "new@example.nhs.uk", Name: "New Person", Roles: []accounts.Role{accounts.RoleAdmin},
		Password: "abcde-fghij-kmnpq-rstuv", Generated: true,
	}); err != nil {
		t.Fatal(err)
	}
	b := srv.Browser()
	resp, _ := b.PostForm(t, "/login", url.Values{"email": {"new@example.nhs.uk"}, "password": {"abcde-fghij-kmnpq-rstuv"}, "next": {"/admin/audit"}})
	apitest.WantRedirect(t, "sign in with a one-time password", resp, "/account/password?next=%2Fadmin%2Faudit")
	for _, path := range []string{"/staff", "/admin/users"} {
		resp, _ := b.Get(t, path)
		apitest.WantRedirect(t, path+" before changing", resp, "/account/password?next="+url.QueryEscape(path))
	}
	if resp, _ := b.Get(t, "/api/staff/session"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff API before changing: %d", resp.StatusCode)
	}
	resp, body := b.Get(t, "/account/password?next=%2Fadmin%2Faudit")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "one-time password") || !strings.Contains(body, `name="next" value="/admin/audit"`) {
		t.Fatalf("password page: %d\n%s", resp.StatusCode, body)
	}
	token := apitest.CSRFIn(t, body)
	change := func(current, next, confirm string) (*http.Response, string) {
		return b.PostForm(t, "/account/password", url.Values{"csrf": {token}, "current": {current}, "new": {next}, "confirm": {confirm}, "next": {"/admin/audit"}})
	}
	for _, c := range []struct{ current, next, confirm, want string }{
		{"abcde-fghij-kmnpq-rstuv", "short", "short", "at least 12 characters"},
		{"abcde-fghij-kmnpq-rstuv", "password1234", "password1234", "too common"},
		{"abcde-fghij-kmnpq-rstuv", "quiet-harbour-violin", "quiet-harbour-violn", "Enter the same new password twice"},
		{"wrong-one-time-pass", "quiet-harbour-violin", "quiet-harbour-violin", "Your current password is not right"},
		{"", "", "", "Enter your current password"},
	} {
		resp, body := change(c.current, c.next, c.confirm)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%+v: %d, page lacks %q", c, resp.StatusCode, c.want)
		}
		if c.next != "" && strings.Contains(body, c.next) {
			t.Errorf("%+v: a password was echoed", c)
		}
	}
	resp, _ = b.PostForm(t, "/account/password", url.Values{"current": {"abcde-fghij-kmnpq-rstuv"}, "new": {"quiet-harbour-violin"}, "confirm": {"quiet-harbour-violin"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("change without the CSRF token: %d", resp.StatusCode)
	}
	old := b.Cookie(apitest.SessionCookie)
	resp, _ = change("abcde-fghij-kmnpq-rstuv", "quiet-harbour-violin", "quiet-harbour-violin")
	apitest.WantRedirect(t, "password changed", resp, "/admin/audit")
	if now := b.Cookie(apitest.SessionCookie); now == "" || now == old {
		t.Fatal("no new session after changing the password")
	}
	if resp, _ := b.Get(t, "/admin/audit"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after changing: %d", resp.StatusCode)
	}
	resp, _ = withCookie(t, srv, old).Get(t, "/staff")
	apitest.WantRedirect(t, "the one-time session", resp, "/login?next=%2Fstaff")
	srv.SignIn(t, "new@example.nhs.uk", "quiet-harbour-violin")
}

func TestNext_OnlyLocalPathsAreFollowed(t *testing.T) {
	srv := apitest.New(t)
	srv.AddStaff(t, "admin@example.nhs.uk", accounts.RoleAdmin)
	srv.AddStaff(t, "quality@example.nhs.uk", accounts.RoleQuality)
	for _, c := range []struct {
		next        string
		local       bool
		encodedBody string // sent as is instead of the form-encoded next
	}{
		{next: "/admin/audit?after=", local: true},
		{next: "//evil.example"},
		{next: "//evil.example/admin"},
		{next: "https://evil.example"},
		{next: "/\\evil.example"},
		{next: "\\\\evil.example"},
		{next: "%2F%2Fevil.example"},
		{encodedBody: "next=%2F%2Fevil.example"},
		{encodedBody: "next=%2F%5Cevil.example"},
		{next: "javascript:alert(1)"},
		{next: "/\t/evil.example"},
		{next: "/\n/evil.example"},
		{next: "http:evil.example"},
		{next: "evil.example"},
	} {
		for email, home := range map[string]string{"admin@example.nhs.uk": "/staff", "quality@example.nhs.uk": "/staff"} {
			form := url.Values{"email": {email}, "password": {apitest.StaffPassword}}
			body := form.Encode()
			if c.encodedBody != "" {
				body += "&" + c.encodedBody
			} else {
				body += "&next=" + url.QueryEscape(c.next)
			}
			resp, _ := srv.Browser().Do(t, http.MethodPost, "/login", "application/x-www-form-urlencoded", []byte(body), nil)
			want := home
			if c.local {
				want = c.next
			}
			apitest.WantRedirect(t, "next "+c.next+c.encodedBody, resp, want)
		}
		if !c.local && c.next != "" {
			_, page := srv.Browser().Get(t, "/login?next="+url.QueryEscape(c.next))
			if strings.Contains(page, `name="next"`) {
				t.Errorf("GET /login kept next %q in the form", c.next)
			}
		}
	}
	// A signed-out request remembers where it was going, query included.
	resp, _ := srv.Browser().Get(t, "/admin/audit?after=x")
	apitest.WantRedirect(t, "signed out", resp, "/login?next=%2Fadmin%2Faudit%3Fafter%3Dx")
}

func TestLogin_RefusesPostsFromAnotherSite(t *testing.T) {
	srv := apitest.New(t)
	srv.AddStaff(t, "jo@example.nhs.uk", accounts.RoleQuality)
	form := []byte(url.Values{"email": {"jo@example.nhs.uk"}, "password": {apitest.StaffPassword}}.Encode())
	for _, c := range []struct {
		header http.Header
		status int
	}{
		{http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{http.Header{"Origin": {"null"}}, http.StatusForbidden},
		{http.Header{"Origin": {"null"}, "Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		// What Chrome sends with the site's own form under Referrer-Policy: no-referrer.
		{http.Header{"Origin": {"null"}, "Sec-Fetch-Site": {"same-origin"}}, http.StatusSeeOther},
		{http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{http.Header{"Sec-Fetch-Site": {"same-site"}}, http.StatusForbidden},
		{http.Header{"Origin": {srv.URL}, "Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{http.Header{"Origin": {srv.URL}, "Sec-Fetch-Site": {"same-origin"}}, http.StatusSeeOther},
		{http.Header{"Origin": {srv.URL}}, http.StatusSeeOther},
		{http.Header{}, http.StatusSeeOther}, // not a browser: nothing to trick
	} {
		b := srv.Browser()
		resp, _ := b.Do(t, http.MethodPost, "/login", "application/x-www-form-urlencoded", form, c.header)
		if resp.StatusCode != c.status {
			t.Errorf("%v: %d, want %d", c.header, resp.StatusCode, c.status)
		}
		if c.status == http.StatusForbidden && b.Cookie(apitest.SessionCookie) != "" {
			t.Errorf("%v: signed in from another site", c.header)
		}
	}
}

// The per-client lock counts an IPv6 client by its /64: one phone or
// household holds a whole /64, and counting each address would give it 2^64
// tries. Two addresses in one /64 share a lock; one in another /64 does not.
func TestSignIn_LocksAnIPv6ClientByItsSlash64(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithStaffClock(clock.Now), apitest.WithTrustedProxies("127.0.0.1/32", "::1/128"))
	from := func(ip, email string) int {
		form := url.Values{"email": {email}, "password": {"Wrong-Guess-Pass-1"}}.Encode()
		resp, _ := srv.Browser().Do(t, "POST", "/login", "application/x-www-form-urlencoded", []byte(form),
			http.Header{"X-Forwarded-For": {ip}})
		return resp.StatusCode
	}
	// Twenty failures across accounts lock the client: each from a new
	// address of one /64, each account once (so no account locks).
	for i := range 20 {
		if got := from(fmt.Sprintf("2001:db8:1:2::%x", i+1), fmt.Sprintf("n%d@example.nhs.uk", i)); got != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, got)
		}
		clock.Advance(10 * time.Second)
	}
	if got := from("2001:db8:1:2:ffff::1", "fresh@example.nhs.uk"); got != http.StatusTooManyRequests {
		t.Fatalf("another address of the same /64: %d, want 429", got)
	}
	if got := from("2001:db8:1:3::1", "fresh@example.nhs.uk"); got != http.StatusUnprocessableEntity {
		t.Fatalf("an address of another /64: %d, want 422", got)
	}
}

func TestSignIn_EveryRoleLandsOnTheStaffHome(t *testing.T) {
	srv := apitest.New(t)
	for i, roles := range [][]accounts.Role{{accounts.RoleAdmin}, {accounts.RoleAdmin, accounts.RoleIntake}, {accounts.RoleQuality}, {accounts.RoleIntake}} {
		email := "land" + strconv.Itoa(i) + "@example.nhs.uk"
		srv.AddStaff(t, email, roles...)
		b := srv.Browser()
		resp, _ := b.PostForm(t, "/login", url.Values{"email": {email}, "password": {apitest.StaffPassword}})
		apitest.WantRedirect(t, "sign in as "+string(roles[0]), resp, "/staff")
		if _, home := b.Get(t, "/staff"); roles[0] == accounts.RoleAdmin && (!strings.Contains(home, `href="/admin/users"`) || !strings.Contains(home, `href="/admin/surveys"`)) {
			t.Errorf("an admin's home does not link to accounts and surveys")
		}
	}
}
