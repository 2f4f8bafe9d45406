package intakepages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// intakeRoutes opens one contact and returns every intake and practitioner
// route with real ids, and a form each POST accepts.
func intakeRoutes(t *testing.T, srv *apitest.Server, handler *apitest.Browser) (gets []string, posts map[string]url.Values) {
	t.Helper()
	contact := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, _ := srv.Intake.Contact(context.Background(), contact)
	p := apitest.AddPractitioner(t, srv, "Dr Extra", "counsellor", "")
	person, prac := c.PersonID, p.ID
	gets = []string{
		"/intake/contacts/new", "/intake/contacts/" + contact, "/intake/people", "/intake/people/" + person,
		"/intake/people?name=Alex+Morgan&dob=1985-04-02&phone=07700900123",
		"/admin/practitioners", "/admin/practitioners/" + prac, "/admin/people", "/admin/people?id=" + person,
		"/admin/people/" + person + "/export", "/admin/people/" + person + "/erase",
	}
	posts = map[string]url.Values{
		"/intake/contacts/new":                         apitest.PeerForm(),
		"/intake/contacts/" + contact + "/close":       {"outcome": {"Done"}},
		"/admin/practitioners":                         {"name": {"Dr Forged"}, "kind": {"counsellor"}, "weekly_capacity": {"5"}, "active": {"yes"}},
		"/admin/practitioners/" + prac:                 {"name": {"Dr Renamed"}, "kind": {"counsellor"}, "weekly_capacity": {"5"}},
		"/admin/practitioners/" + prac + "/deactivate": {},
		"/admin/practitioners/" + prac + "/activate":   {},
		"/admin/people/" + person + "/erase":           {"confirm": {"yes"}},
	}
	return gets, posts
}

func TestIntakeRoutes_OnlyTheirRoleMayOpenThem(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	gets, posts := intakeRoutes(t, srv, handler)
	browsers := map[string]*apitest.Browser{"signed out": srv.Browser(), "intake": handler}
	for _, r := range []accounts.Role{accounts.RoleAdmin, accounts.RoleQuality} {
		browsers[string(r)], _ = srv.Staff(t, r)
	}
	// A peer supporter's account sees its own callers, and nothing of intake's.
	peerContact := apitest.OpenContact(t, handler, apitest.PeerForm())
	browsers["peer"] = linkedPeer(t, srv, peerContact)
	gets = append(gets, "/peer", "/peer/contacts/"+peerContact, "/admin/safety-concerns")
	posts["/peer/contacts/"+peerContact+"/peer"] = url.Values{"action": {"no-contact"}}
	posts["/intake/contacts/"+peerContact+"/peer"] = url.Values{"action": {"no-contact"}}
	posts["/intake/contacts/"+peerContact+"/risk"] = url.Values{"flag": {"yes"}}
	allowed := func(path string) string {
		switch {
		case strings.HasPrefix(path, "/admin/"):
			return "admin"
		case strings.HasPrefix(path, "/peer"):
			return "peer"
		}
		return "intake"
	}
	for _, path := range gets {
		for who, b := range browsers {
			resp, _ := b.Get(t, path)
			want := http.StatusForbidden
			switch who {
			case allowed(path):
				want = http.StatusOK
			case "signed out":
				want = http.StatusSeeOther
			}
			if resp.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", who, path, resp.StatusCode, want)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s GET %s: Cache-Control %q", who, path, resp.Header.Get("Cache-Control"))
			}
		}
	}
	for path, form := range posts {
		for who, b := range browsers {
			if who == allowed(path) {
				continue // the other tests post as the right role
			}
			f := form
			if who != "signed out" {
				f = apitest.With(form, "csrf", b.CSRF(t))
			}
			resp, _ := b.PostForm(t, path, f)
			want := http.StatusForbidden
			if who == "signed out" {
				want = http.StatusSeeOther
			}
			if resp.StatusCode != want {
				t.Errorf("%s POST %s: %d, want %d", who, path, resp.StatusCode, want)
			}
		}
	}
	// Nothing a wrong role posted took effect.
	if ps, _ := srv.Intake.Practitioners(context.Background(), ""); len(ps) != 3 {
		t.Errorf("%d practitioners after forbidden posts, want 3", len(ps))
	}

	// Each role's home page links to what it can open.
	_, home := handler.Get(t, "/staff")
	if !strings.Contains(home, `href="/intake/contacts/new"`) || !strings.Contains(home, `href="/intake/people"`) ||
		strings.Contains(home, "/admin/") {
		t.Errorf("intake home page:\n%s", home)
	}
	_, home = browsers["admin"].Get(t, "/staff")
	if !strings.Contains(home, `href="/admin/practitioners"`) || !strings.Contains(home, `href="/admin/people"`) ||
		strings.Contains(home, "/intake/") {
		t.Errorf("admin home page:\n%s", home)
	}
}

func TestIntakeRoutes_EveryPostRefusesAForgedRequest(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	_, posts := intakeRoutes(t, srv, handler)
	other, _ := srv.Staff(t, accounts.RoleIntake)
	otherToken := other.CSRF(t)
	for path, form := range posts {
		b := handler
		if strings.HasPrefix(path, "/admin/") {
			b = admin
		}
		token := b.CSRF(t)
		for name, forged := range map[string]struct {
			form   url.Values
			header http.Header
		}{
			"no token":                 {form, nil},
			"another session's token":  {apitest.With(form, "csrf", otherToken), nil},
			"right token, cross-site":  {apitest.With(form, "csrf", token), http.Header{"Sec-Fetch-Site": {"cross-site"}}},
			"right token, evil origin": {apitest.With(form, "csrf", token), http.Header{"Origin": {"https://evil.example"}}},
		} {
			resp, body := b.Do(t, http.MethodPost, path, "application/x-www-form-urlencoded", []byte(forged.form.Encode()), forged.header)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This form could not be accepted") {
				t.Errorf("POST %s, %s: %d", path, name, resp.StatusCode)
			}
		}
	}
	// Nothing changed.
	if ps, _ := srv.Intake.Practitioners(context.Background(), ""); len(ps) != 3 {
		t.Errorf("%d practitioners after forged posts, want 3", len(ps))
	}
	for _, e := range apitest.AuditEntries(t, srv) {
		if strings.HasPrefix(string(e.Action), "practitioner_") || e.Action == "person_erased" {
			t.Errorf("a forged post was audited as done: %+v", e)
		}
	}
}
