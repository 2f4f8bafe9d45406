package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// Markers whose raw appearance in any response means output was not escaped.
const (
	scriptMarker = `<script>alert(7)</script>`
	imgMarker    = `<img src=x onerror=alert(7)>`
)

// hostileSegments replace route parameters.
var hostileSegments = []string{
	"..%2F..%2Fetc%2Fpasswd", "%00", "%ff%fe", "$where", "%3Cscript%3Ealert(7)%3C%2Fscript%3E",
	strings.Repeat("a", 3000), "__proto__", "-1", "99999999999999999999999",
}

type hostileBody struct {
	name, contentType, body string
}

func hostileBodies(csrf string) []hostileBody {
	fields := []string{"email", "name", "password", "new_password", "confirm", "role", "roles", "next", "fft", "fft_why",
		"recommend", "outcome", "service", "id", "nonce", "website", "csrf", "after"}
	text := url.Values{}
	for _, f := range fields {
		text.Set(f, scriptMarker+imgMarker)
	}
	text.Set("csrf", csrf)
	ops := url.Values{"csrf": {csrf}, "email[$ne]": {"x"}, "$where": {"1"}, "__proto__[admin]": {"1"}, "constructor.prototype.x": {"1"}}
	dup := "csrf=" + url.QueryEscape(csrf) + "&email=a@b.example&email=c@d.example&role=admin&role=admin&fft=good&fft=poor"
	return []hostileBody{
		{"script in every field", "application/x-www-form-urlencoded", text.Encode()},
		{"operators and pollution keys", "application/x-www-form-urlencoded", ops.Encode()},
		{"duplicated fields", "application/x-www-form-urlencoded", dup},
		{"invalid UTF-8 and NUL", "application/x-www-form-urlencoded", "csrf=" + url.QueryEscape(csrf) + "&name=%ff%fe%00&email=%00"},
		{"huge and negative numbers", "application/x-www-form-urlencoded", "csrf=" + url.QueryEscape(csrf) + "&recommend=-99999999999999999999&capacity=1e999"},
		{"1 MB body", "application/x-www-form-urlencoded", "csrf=" + url.QueryEscape(csrf) + "&name=" + strings.Repeat("x", 1<<20)},
		{"JSON operators", "application/json", `{"$set":{"roles":["admin"]},"email":{"$ne":null},"__proto__":{"admin":true}}`},
		{"deep JSON", "application/json", strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)},
		{"invalid JSON UTF-8", "application/json", "{\"name\":\"\xff\x00\"}"},
		{"wrong content type", "text/xml", `<?xml version="1.0"?><a>` + scriptMarker + `</a>`},
		{"multipart", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + scriptMarker + "\r\n--x--\r\n"},
	}
}

var paramRe = regexp.MustCompile(`:[A-Za-z_]+\??|\*`)

type hostileTarget struct{ method, path string }

// hostileTargets is every GET and POST route, each path parameter filled with
// each hostile segment.
func hostileTargets(t *testing.T, srv *apitest.Server) []hostileTarget {
	t.Helper()
	var targets []hostileTarget
	seen := map[string]bool{}
	for _, r := range srv.App.App.GetRoutes(true) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost || r.Path == "/" && r.Method == http.MethodGet {
			continue
		}
		for _, seg := range hostileSegments {
			p := r.Path
			if paramRe.MatchString(p) {
				p = paramRe.ReplaceAllString(p, seg)
			} else if seg != hostileSegments[0] {
				continue
			}
			if !seen[r.Method+p] {
				seen[r.Method+p] = true
				targets = append(targets, hostileTarget{r.Method, p})
			}
		}
	}
	if len(targets) < 10 {
		t.Fatalf("only %d route targets found", len(targets))
	}
	return targets
}

// TestHostileRequests_EveryRouteAnswersWithA4xxNeverA5xx sends the hostile corpus to every
// route the app has, signed out and signed in (admin, quality lead, call handler) with a valid CSRF token.
func TestHostileRequests_EveryRouteAnswersWithA4xxNeverA5xx(t *testing.T) {
	srv := apitest.New(t)
	// No account may see records beside dashboards: a quality lead covers the dashboards.
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	lead, _ := srv.Staff(t, accounts.RoleQuality)
	handler, _ := srv.Staff(t, accounts.RoleIntake)
	csrf, leadCSRF, handlerCSRF := admin.CSRF(t), lead.CSRF(t), handler.CSRF(t)
	targets := hostileTargets(t, srv)
	check := func(who, what string, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s: status %d", who, what, resp.StatusCode)
		}
		if strings.Contains(body, scriptMarker) || strings.Contains(body, imgMarker) {
			t.Errorf("%s %s: hostile markup echoed unescaped", who, what)
		}
	}
	for _, tg := range targets {
		if tg.method == http.MethodGet {
			q := "?next=" + url.QueryEscape(scriptMarker) + "&after=%ff&from=9999-99&to=" + url.QueryEscape(imgMarker)
			resp, body := srv.Get(t, tg.path+q)
			check("anonymous", "GET "+tg.path, resp, body)
			resp, body = admin.Get(t, tg.path+q)
			check("admin", "GET "+tg.path, resp, body)
			resp, body = lead.Get(t, tg.path+q)
			check("quality lead", "GET "+tg.path, resp, body)
			resp, body = handler.Get(t, tg.path+q)
			check("handler", "GET "+tg.path, resp, body)
			continue
		}
		for _, hb := range hostileBodies(csrf) {
			what := "POST " + tg.path + " (" + hb.name + ")"
			if len(hb.body) > 64<<10 {
				// Over the server's limit: a 413, or the connection closed on the
				// writer; either way a refusal, and it must not be a 5xx.
				for _, c := range []*http.Client{srv.Client, admin.HTTP, handler.HTTP} {
					req, _ := http.NewRequest(http.MethodPost, srv.URL+tg.path, strings.NewReader(hb.body))
					req.Header.Set("Content-Type", hb.contentType)
					if resp, err := c.Do(req); err == nil {
						resp.Body.Close()
						if resp.StatusCode != http.StatusRequestEntityTooLarge {
							t.Errorf("%s: status %d, want 413", what, resp.StatusCode)
						}
					}
				}
				continue
			}
			resp, body := srv.Do(t, http.MethodPost, tg.path, hb.contentType, []byte(hb.body))
			check("anonymous", what, resp, body)
			resp, body = admin.Do(t, http.MethodPost, tg.path, hb.contentType, []byte(hb.body), http.Header{"X-CSRF-Token": {csrf}})
			check("admin", what, resp, body)
			resp, body = lead.Do(t, http.MethodPost, tg.path, hb.contentType, []byte(hb.body), http.Header{"X-CSRF-Token": {leadCSRF}})
			check("quality lead", what, resp, body)
			resp, body = handler.Do(t, http.MethodPost, tg.path, hb.contentType, []byte(hb.body), http.Header{"X-CSRF-Token": {handlerCSRF}})
			check("handler", what, resp, body)
		}
	}
	if n := srv.Count(t, "responses"); n != 0 {
		t.Fatalf("%d survey responses stored from hostile requests", n)
	}
	if strings.Contains(srv.Logs.String(), "panic") {
		t.Fatalf("a handler panicked:\n%s", srv.Logs.String())
	}
	t.Logf("%d route targets × hostile inputs, signed out, as admin, quality lead and call handler", len(targets))
}
