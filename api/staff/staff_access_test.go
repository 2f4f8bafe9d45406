package staff_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

func TestRoles_EachRoleAgainstEachStaffRoute(t *testing.T) {
	srv := apitest.New(t)
	browsers := map[string]*apitest.Browser{"signed out": srv.Browser()}
	for _, r := range accounts.Roles {
		browsers[string(r)], _ = srv.Staff(t, r)
	}
	const ok, login, forbidden, unauthorised = 200, 303, 403, 401
	routes := map[string]map[string]int{
		"/admin/users":       {"admin": ok, "quality": forbidden, "intake": forbidden, "signed out": login},
		"/admin/audit":       {"admin": ok, "quality": forbidden, "intake": forbidden, "signed out": login},
		"/staff":             {"admin": ok, "quality": ok, "intake": ok, "signed out": login},
		"/account/password":  {"admin": ok, "quality": ok, "intake": ok, "signed out": login},
		"/api/staff/session": {"admin": ok, "quality": ok, "intake": ok, "signed out": unauthorised},
	}
	for path, want := range routes {
		for who, status := range want {
			resp, body := browsers[who].Get(t, path)
			if resp.StatusCode != status {
				t.Errorf("%s GET %s: %d, want %d", who, path, resp.StatusCode, status)
				continue
			}
			switch status {
			case login:
				if loc := resp.Header.Get("Location"); loc != "/login?next="+url.QueryEscape(path) {
					t.Errorf("%s GET %s: to %q", who, path, loc)
				}
			case forbidden:
				if !strings.Contains(body, "You cannot open this page") || !strings.Contains(body, `action="/logout"`) {
					t.Errorf("%s GET %s: 403 page:\n%s", who, path, body)
				}
			case unauthorised:
				if resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, `"status":401`) {
					t.Errorf("%s GET %s: %s %s", who, path, resp.Header.Get("Content-Type"), body)
				}
			}
		}
	}
	// The staff home lists what each role can open, and nothing it cannot.
	_, home := browsers["quality"].Get(t, "/staff")
	if !strings.Contains(home, "Dashboards") || strings.Contains(home, `href="/admin/users"`) || strings.Contains(home, "Intake") {
		t.Errorf("quality home page:\n%s", home)
	}
	_, home = browsers["admin"].Get(t, "/staff")
	if !strings.Contains(home, `href="/admin/users"`) || !strings.Contains(home, `href="/admin/audit"`) ||
		!strings.Contains(home, `href="/admin/comment-names"`) {
		t.Errorf("admin home page:\n%s", home)
	}
	// and every link on each role's home page opens for that role
	for role, b := range browsers {
		if role == "signed out" {
			continue
		}
		_, home := b.Get(t, "/staff")
		for _, m := range homeLink.FindAllStringSubmatch(home, -1) {
			if resp, _ := b.Get(t, m[1]); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: the home page's link %s answers %d", role, m[1], resp.StatusCode)
			}
		}
	}
}

// homeLink is a link in the staff home page's list.
var homeLink = regexp.MustCompile(`<li><a href="(/[^"]+)">`)

func TestStaffAPI_AnswersWithProblems(t *testing.T) {
	srv := apitest.New(t)
	quality, email := srv.Staff(t, accounts.RoleQuality)
	resp, body := quality.Get(t, "/api/staff/session")
	if resp.StatusCode != 200 || !strings.Contains(body, `"email":"`+email+`"`) || !strings.Contains(body, `"roles":["quality"]`) {
		t.Fatalf("staff session: %d %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("staff JSON Cache-Control %q", cc)
	}
	// A state-changing JSON call without the X-CSRF-Token header is refused before anything else.
	resp, body = quality.Do(t, http.MethodPost, "/api/staff/session", "application/json", []byte(`{}`), nil)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, "X-CSRF-Token") {
		t.Fatalf("POST without the CSRF header: %d %s", resp.StatusCode, body)
	}
	resp, _ = quality.Do(t, http.MethodPost, "/api/staff/session", "application/json", []byte(`{}`), http.Header{"X-Csrf-Token": {quality.CSRF(t)}})
	if resp.StatusCode == http.StatusForbidden {
		t.Fatal("POST with the CSRF header was refused as forged")
	}
}

func TestCSRF_EveryStateChangingStaffRouteRefusesAForgedRequest(t *testing.T) {
	srv := apitest.New(t)
	admin, adminEmail := srv.Staff(t, accounts.RoleAdmin)
	other, _ := srv.Staff(t, accounts.RoleAdmin) // a real token, of another session
	target, targetEmail := srv.Staff(t, accounts.RoleQuality)
	token, otherToken := admin.CSRF(t), other.CSRF(t)
	routes := map[string]url.Values{
		"/logout":               {},
		"/account/password":     {"current": {apitest.StaffPassword}, "new": {"quiet-harbour-violin"}, "confirm": {"quiet-harbour-violin"}},
		"/admin/users":          {"email": {"forged@example.nhs.uk"}, "name": {"Forged"}, "role": {"admin"}},
		"/admin/users/disable":  {"email": {targetEmail}},
		"/admin/users/enable":   {"email": {targetEmail}},
		"/admin/users/password": {"email": {targetEmail}},
	}
	forgeries := map[string]func(url.Values) (url.Values, http.Header){
		"no token":          func(f url.Values) (url.Values, http.Header) { return f, nil },
		"empty token":       func(f url.Values) (url.Values, http.Header) { return apitest.With(f, "csrf", ""), nil },
		"wrong token":       func(f url.Values) (url.Values, http.Header) { return apitest.With(f, "csrf", "AAAA"+token[4:]), nil },
		"another session's": func(f url.Values) (url.Values, http.Header) { return apitest.With(f, "csrf", otherToken), nil },
		"wrong header":      func(f url.Values) (url.Values, http.Header) { return f, http.Header{"X-Csrf-Token": {otherToken}} },
		"right token, evil origin": func(f url.Values) (url.Values, http.Header) {
			return apitest.With(f, "csrf", token), http.Header{"Origin": {"https://evil.example"}}
		},
		"right token, cross-site": func(f url.Values) (url.Values, http.Header) {
			return apitest.With(f, "csrf", token), http.Header{"Sec-Fetch-Site": {"cross-site"}}
		},
	}
	for path, form := range routes {
		for name, forge := range forgeries {
			f, h := forge(form)
			resp, body := admin.Do(t, http.MethodPost, path, "application/x-www-form-urlencoded", []byte(f.Encode()), h)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This form could not be accepted") {
				t.Errorf("POST %s, %s: %d", path, name, resp.StatusCode)
			}
		}
	}
	// Nothing changed: both are still signed in, the target enabled with the same password.
	for who, b := range map[string]*apitest.Browser{"admin": admin, "target": target} {
		if resp, _ := b.Get(t, "/staff"); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s signed out by a forged request: %d", who, resp.StatusCode)
		}
	}
	srv.SignIn(t, targetEmail, apitest.StaffPassword)
	srv.SignIn(t, adminEmail, apitest.StaffPassword)
	if _, err := srv.Accounts.Get(t.Context(), "forged@example.nhs.uk"); err == nil {
		t.Fatal("a forged request added an account")
	}
	// The header carries the token as well as the form field does.
	resp, _ := admin.Do(t, http.MethodPost, "/admin/users/disable", "application/x-www-form-urlencoded",
		[]byte(url.Values{"email": {targetEmail}}.Encode()), http.Header{"X-Csrf-Token": {token}})
	apitest.WantRedirect(t, "disable with the X-CSRF-Token header", resp, "/admin/users")
}

func TestSessionCookie_Attributes(t *testing.T) {
	for _, c := range []struct {
		base, name string
		secure     bool
	}{
		{"", "feedback_session", false},
		{"https://feedback.example", "__Host-feedback_session", true},
	} {
		var opts []apitest.Option
		if c.base != "" {
			opts = append(opts, apitest.WithBaseURL(c.base))
		}
		srv := apitest.New(t, opts...)
		srv.AddStaff(t, "jo@example.nhs.uk", accounts.RoleQuality)
		header := http.Header{}
		if c.base != "" {
			header.Set("Origin", c.base) // the public origin, not the loopback one
		}
		form := []byte(url.Values{"email": {"jo@example.nhs.uk"}, "password": {apitest.StaffPassword}}.Encode())
		resp, _ := srv.Browser().Do(t, http.MethodPost, "/login", "application/x-www-form-urlencoded", form, header)
		cookies := resp.Cookies()
		if resp.StatusCode != http.StatusSeeOther || len(cookies) != 1 {
			t.Fatalf("%s: sign in %d, cookies %v", c.name, resp.StatusCode, resp.Header.Values("Set-Cookie"))
		}
		k := cookies[0]
		if k.Name != c.name || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Secure != c.secure ||
			k.Path != "/" || k.Domain != "" || k.MaxAge <= 0 || k.MaxAge > int(accounts.DefaultAbsoluteTimeout.Seconds()) || len(k.Value) < 40 {
			t.Errorf("%s: cookie %q", c.name, resp.Header.Get("Set-Cookie"))
		}
		if c.secure && resp.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s: no HSTS when published over https", c.name)
		}
		// Sign out clears it with the same attributes.
		b := srv.Browser()
		b.HTTP.Jar = nil
		cookie := &http.Cookie{Name: k.Name, Value: k.Value}
		resp, page := b.Do(t, http.MethodGet, "/staff", "", nil, http.Header{"Cookie": {cookie.String()}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: /staff with the cookie: %d", c.name, resp.StatusCode)
		}
		header.Set("Cookie", cookie.String())
		resp, _ = b.Do(t, http.MethodPost, "/logout", "application/x-www-form-urlencoded", []byte("csrf="+apitest.CSRFIn(t, page)), header)
		cleared := resp.Cookies()
		if resp.StatusCode != http.StatusSeeOther || len(cleared) != 1 || cleared[0].Name != c.name || cleared[0].Value != "" ||
			cleared[0].MaxAge >= 0 || cleared[0].Secure != c.secure || cleared[0].Path != "/" {
			t.Errorf("%s: sign-out %d, Set-Cookie %v", c.name, resp.StatusCode, resp.Header.Values("Set-Cookie"))
		}
	}
	// Over https, a cookie without the __Host- prefix is not read at all.
	srv := apitest.New(t, apitest.WithBaseURL("https://feedback.example"))
	srv.AddStaff(t, "jo@example.nhs.uk", accounts.RoleQuality)
	resp, _ := srv.Browser().Do(t, http.MethodPost, "/login", "application/x-www-form-urlencoded",
		[]byte(url.Values{"email": {"jo@example.nhs.uk"}, "password": {apitest.StaffPassword}}.Encode()), nil)
	id := resp.Cookies()[0].Value
	resp, _ = srv.Browser().Do(t, http.MethodGet, "/staff", "", nil, http.Header{"Cookie": {"feedback_session=" + id}})
	apitest.WantRedirect(t, "unprefixed cookie over https", resp, "/login?next=%2Fstaff")
}

func TestSecurityHeaders_OnPublicAndStaffPages(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	pages := map[string]bool{ // path: staff page
		"/s/counselling": false, "/api/v1/surveys": false, "/nowhere": false,
		"/login": true, "/staff": true, "/admin/users": true, "/admin/audit": true, "/account/password": true, "/api/staff/session": true,
	}
	for path, staff := range pages {
		resp, body := admin.Get(t, path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "style-src 'self'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		// Only the survey pages load a script (an invited form's), from the site.
		scripts := strings.HasPrefix(path, "/s/") && strings.Contains(csp, "script-src 'self'; connect-src 'self';")
		if strings.Contains(csp, "unsafe") || (strings.Contains(csp, "script-src") && !scripts) {
			t.Errorf("%s: CSP weakened: %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q", path, h, got)
			}
		}
		if resp.Header.Get("Permissions-Policy") == "" {
			t.Errorf("%s: no Permissions-Policy", path)
		}
		if staff && resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: staff page Cache-Control %q", path, resp.Header.Get("Cache-Control"))
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
			t.Errorf("%s: inline script or style", path)
		}
	}
}

func TestSurveyRoutes_NeverSetACookieEvenForSignedInStaff(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	stale := withCookie(t, srv, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") // would be cleared on a staff page
	for who, b := range map[string]*apitest.Browser{"signed in": admin, "stale cookie": stale} {
		_, form := b.Get(t, "/s/counselling")
		nonce := regexp.MustCompile(`name="nonce" value="([^"]+)"`).FindStringSubmatch(form)
		if nonce == nil {
			t.Fatal("no nonce")
		}
		requests := []struct{ method, path, ctype, body string }{
			{"GET", "/s/counselling", "", ""},
			{"POST", "/s/counselling", "application/x-www-form-urlencoded", apitest.ValidForm(nonce[1]).Encode()},
			{"GET", "/s/counselling/thanks", "", ""},
			{"GET", "/s/nowhere", "", ""},
			{"GET", "/api/v1/surveys", "", ""},
			{"GET", "/api/v1/surveys/counselling", "", ""},
			{"POST", "/api/v1/surveys/counselling/responses", "application/json", `{"answers":{}}`},
			{"GET", "/nowhere", "", ""},
			{"GET", "/healthz", "", ""},
		}
		for _, r := range requests {
			resp, _ := b.Do(t, r.method, r.path, r.ctype, []byte(r.body), nil)
			if sc := resp.Header.Values("Set-Cookie"); sc != nil {
				t.Errorf("%s %s %s: Set-Cookie %v", who, r.method, r.path, sc)
			}
			if r.path == "/s/counselling" && r.method == "POST" && resp.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: survey submission %d", who, resp.StatusCode)
			}
		}
	}
	// The staff side does clear the stale cookie: the survey side simply never looked.
	if resp, _ := stale.Get(t, "/staff"); resp.Header.Values("Set-Cookie") == nil {
		t.Error("a stale cookie was not cleared on a staff page")
	}
}
