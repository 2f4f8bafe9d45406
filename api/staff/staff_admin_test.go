package staff_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

var oneTimeRe = regexp.MustCompile(`<p class="secret">([a-z0-9-]+)</p>`)

// oneTimePassword returns the one-time password a page shows.
func oneTimePassword(t *testing.T, body string) string {
	t.Helper()
	m := oneTimeRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no one-time password on the page:\n%s", body)
	}
	return m[1]
}

func TestAdminUsers_AddGivesAOneTimePasswordShownOnce(t *testing.T) {
	srv := apitest.New(t)
	admin, adminEmail := srv.Staff(t, accounts.RoleAdmin)
	resp, body := admin.Get(t, "/admin/users")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, adminEmail) {
		t.Fatalf("GET /admin/users: %d\n%s", resp.StatusCode, body)
	}
	token := apitest.CSRFIn(t, body)
	resp, body = admin.PostForm(t, "/admin/users", url.Values{
		"csrf": {token}, "email": {"Sam@Example.NHS.uk"}, "name": {"Sam Jones"}, "role": {"intake", "admin"},
	})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "One-time password for sam@example.nhs.uk") {
		t.Fatalf("add: %d\n%s", resp.StatusCode, body)
	}
	password := oneTimePassword(t, body)
	if _, again := admin.Get(t, "/admin/users"); strings.Contains(again, password) || !strings.Contains(again, "Sam Jones") ||
		!strings.Contains(again, "admin, intake") {
		t.Error("the list shows the one-time password again, or not the new account")
	}
	sam := srv.Browser()
	resp, _ = sam.PostForm(t, "/login", url.Values{"email": {"sam@example.nhs.uk"}, "password": {password}})
	apitest.WantRedirect(t, "the new person signs in", resp, "/account/password")
}

func TestAdminUsers_AddShowsProblemsAndKeepsTheAnswers(t *testing.T) {
	srv := apitest.New(t)
	admin, adminEmail := srv.Staff(t, accounts.RoleAdmin)
	_, page := admin.Get(t, "/admin/users")
	token := apitest.CSRFIn(t, page)
	for _, c := range []struct {
		form url.Values
		want []string
	}{
		{url.Values{}, []string{`href="#email">Enter an e-mail address`, `href="#name">Enter a name`, `href="#role-admin">Select at least one role`}},
		{url.Values{"email": {"not-an-address"}, "name": {"Sam Jones"}, "role": {"quality"}},
			[]string{"Enter an e-mail address in the correct format", `value="not-an-address"`, `value="Sam Jones"`, `value="quality" checked`}},
		{url.Values{"email": {adminEmail}, "name": {"Sam"}, "role": {"intake"}}, []string{"There is already an account with this e-mail address"}},
		{url.Values{"email": {"sam@example.nhs.uk"}, "name": {"Sam"}, "role": {"root"}}, []string{"Select roles from the list"}},
		{url.Values{"email": {"sam@example.nhs.uk"}, "name": {"Sam"}, "role": {"quality", "intake"}},
			[]string{`href="#role-admin">Quality and moderator cannot be combined with intake, peer or admin`, `value="intake" checked`}},
		{url.Values{"email": {"sam@example.nhs.uk"}, "name": {"Sam"}, "role": {"admin", "quality"}}, []string{"give this person two accounts"}},
		{url.Values{"email": {"sam@example.nhs.uk"}, "name": {"Sam"}, "role": {"quality", "moderator"}},
			[]string{`href="#role-admin">Moderator cannot be combined with quality`, `value="moderator" checked`}},
		{url.Values{"email": {"sam@example.nhs.uk"}, "name": {"Sam"}, "role": {"moderator", "intake"}},
			[]string{`href="#role-admin">Quality and moderator cannot be combined with intake, peer or admin`}},
		{url.Values{"email": {"sam@example.nhs.uk"}, "name": {strings.Repeat("x", 101)}, "role": {"intake"}}, []string{"Enter a name of 100 characters or fewer"}},
	} {
		c.form.Set("csrf", token)
		resp, body := admin.PostForm(t, "/admin/users", c.form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", c.form, resp.StatusCode)
		}
		for _, w := range c.want {
			if !strings.Contains(html.UnescapeString(body), html.UnescapeString(w)) {
				t.Errorf("%v: page lacks %q", c.form, w)
			}
		}
		if !strings.Contains(body, "<title>Error: ") || oneTimeRe.MatchString(body) {
			t.Errorf("%v: no error title, or a password shown", c.form)
		}
	}
	if _, err := srv.Accounts.Get(context.Background(), "sam@example.nhs.uk"); err == nil {
		t.Error("a refused account was added")
	}
}

func TestAdminUsers_DisableEnableAndResetPassword(t *testing.T) {
	srv := apitest.New(t)
	admin, adminEmail := srv.Staff(t, accounts.RoleAdmin)
	target, targetEmail := srv.Staff(t, accounts.RoleQuality)
	_, page := admin.Get(t, "/admin/users")
	token := apitest.CSRFIn(t, page)
	post := func(path, email string) (*http.Response, string) {
		return admin.PostForm(t, path, url.Values{"csrf": {token}, "email": {email}})
	}

	resp, _ := post("/admin/users/disable", targetEmail)
	apitest.WantRedirect(t, "disable", resp, "/admin/users")
	resp, _ = target.Get(t, "/staff")
	apitest.WantRedirect(t, "a disabled person's session", resp, "/login?next=%2Fstaff")
	resp, body := srv.Browser().PostForm(t, "/login", url.Values{"email": {targetEmail}, "password": {apitest.StaffPassword}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, badCredentials) {
		t.Fatalf("a disabled account signs in: %d", resp.StatusCode)
	}
	resp, _ = post("/admin/users/enable", targetEmail)
	apitest.WantRedirect(t, "enable", resp, "/admin/users")
	target = srv.SignIn(t, targetEmail, apitest.StaffPassword)

	resp, body = post("/admin/users/password", targetEmail)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	password := oneTimePassword(t, body)
	resp, _ = target.Get(t, "/staff")
	apitest.WantRedirect(t, "a session after a reset", resp, "/login?next=%2Fstaff")
	resp, _ = srv.Browser().PostForm(t, "/login", url.Values{"email": {targetEmail}, "password": {password}})
	apitest.WantRedirect(t, "sign in with the reset password", resp, "/account/password")

	// The last enabled admin stays.
	resp, body = post("/admin/users/disable", adminEmail)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "last enabled administrator") {
		t.Fatalf("disable the last admin: %d", resp.StatusCode)
	}
	resp, body = post("/admin/users/disable", "nobody@example.nhs.uk")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "There is no account") {
		t.Fatalf("disable an unknown account: %d", resp.StatusCode)
	}
	// An admin's own row offers no disable or reset, only changing their own password.
	if strings.Contains(page, `name="email" value="`+adminEmail+`"`) {
		t.Error("the admin's own row has disable or reset buttons")
	}
}

func TestAdminAudit_ShowsSignInsAndSignOutsNewestFirst(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithStaffClock(clock.Now))
	srv.AddStaff(t, "jo@example.nhs.uk", accounts.RoleQuality)
	srv.Browser().PostForm(t, "/login", url.Values{"email": {"jo@example.nhs.uk"}, "password": {"Wrong-Guess-Pass-1"}})
	clock.Advance(time.Second)
	jo := srv.SignIn(t, "jo@example.nhs.uk", apitest.StaffPassword)
	clock.Advance(time.Second)
	id := jo.Cookie(apitest.SessionCookie)
	jo.PostForm(t, "/logout", url.Values{"csrf": {jo.CSRF(t)}})
	clock.Advance(time.Second)
	admin, adminEmail := srv.Staff(t, accounts.RoleAdmin)

	resp, body := admin.Get(t, "/admin/audit")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/audit: %d", resp.StatusCode)
	}
	rows := regexp.MustCompile(`<tr><td>[^<]+</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r[1:], "|"))
	}
	want := []string{
		adminEmail + "|sign_in|" + adminEmail + "|",
		"cli|user_added|" + adminEmail + "|",
		"jo@example.nhs.uk|sign_out|jo@example.nhs.uk|",
		"jo@example.nhs.uk|sign_in|jo@example.nhs.uk|",
		"system|sign_in_failed|jo@example.nhs.uk|wrong password",
		"cli|user_added|jo@example.nhs.uk|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(body, apitest.StaffPassword) || strings.Contains(body, "Wrong-Guess") || strings.Contains(body, id) {
		t.Fatal("a password or session ID in the audit log")
	}
}

func TestAdminAudit_PagesWithTheCursor(t *testing.T) {
	srv := apitest.New(t)
	ctx := context.Background()
	for i := range 60 {
		if err := srv.Accounts.Record(ctx, "test", accounts.ActionUserAdded, fmt.Sprintf("p%02d@example.nhs.uk", i)); err != nil {
			t.Fatal(err)
		}
	}
	admin, _ := srv.Staff(t, accounts.RoleAdmin) // two more entries: added, signed in
	_, first := admin.Get(t, "/admin/audit")
	older := regexp.MustCompile(`<a href="(/admin/audit\?after=[^"]+)">Older entries</a>`).FindStringSubmatch(first)
	if older == nil || strings.Count(first, "<tr><td>") != 50 || !strings.Contains(first, "p59@") || strings.Contains(first, "p09@") {
		t.Fatalf("first page: %d rows\n%s", strings.Count(first, "<tr><td>"), first)
	}
	resp, second := admin.Get(t, html.UnescapeString(older[1]))
	if resp.StatusCode != http.StatusOK || strings.Count(second, "<tr><td>") != 12 || !strings.Contains(second, "p00@") ||
		strings.Contains(second, "p59@") || strings.Contains(second, "Older entries") {
		t.Fatalf("second page: %d, %d rows", resp.StatusCode, strings.Count(second, "<tr><td>"))
	}
	if resp, _ := admin.Get(t, "/admin/audit?after=nonsense"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad cursor: %d", resp.StatusCode)
	}
}

// Issue 32.9: the admin screen offers every role in accounts.Roles, each
// with its description, and states the rule on holding them together.
func TestAdminUsers_OffersEveryRoleWithItsDescriptionAndTheWallRule(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	_, body := admin.Get(t, "/admin/users")
	body = html.UnescapeString(body)
	if !strings.Contains(body, accounts.WallRule()) {
		t.Errorf("no wall rule on the admin screen")
	}
	for _, r := range accounts.Roles {
		if !strings.Contains(body, `value="`+string(r)+`"`) || !strings.Contains(body, r.Description()) {
			t.Errorf("admin screen lacks role %s", r)
		}
	}
}
