package surveyadmin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/survey"
)

// sendComment answers the counselling survey with comment as its free text.
func sendComment(t *testing.T, srv *apitest.Server, comment string) {
	t.Helper()
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Set("fft_why", comment)
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send %q: %d", comment, resp.StatusCode)
	}
}

// releasedComments releases every sealed ballot and returns the texts of this
// month's counselling comments.
func releasedComments(t *testing.T, srv *apitest.Server) []string {
	t.Helper()
	srv.ReleaseAll(t)
	ctx := context.Background()
	cur, err := srv.Collection(survey.CommentsCollection("counselling", survey.Month(clocktest.Wall()))).Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []survey.Comment
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.Text)
	}
	return out
}

// Issue 30: a practitioner's name an admin lists is generalised in every
// comment sent afterwards, on the instance where it was saved, at once. The
// built-in lists do not know this surname, so the first comment keeps it.
func TestCommentNames_AnAdminsNameIsGeneralisedInCommentsSentAfterwards(t *testing.T) {
	srv := apitest.New(t)
	const before, after = "Prydderch was brilliant, thank you.", "Prydderch listened to me, thank you."
	sendComment(t, srv, before)

	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	resp, page := admin.Get(t, "/admin/comment-names")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" ||
		!strings.Contains(page, "Names to generalise in comments") || !strings.Contains(page, "took their call") {
		t.Fatalf("names page: %d %q\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), page)
	}
	resp, _ = admin.PostForm(t, "/admin/comment-names", url.Values{
		"csrf": {apitest.CSRFIn(t, page)}, "names": {"Ffion Prydderch\r\n\r\n  ffion prydderch \r\n"}})
	apitest.WantRedirect(t, "save names", resp, "/admin/comment-names?saved=1")
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "comment_names_saved", "1") {
		t.Fatal("saving the names is not in the audit log")
	}
	if _, page := admin.Get(t, "/admin/comment-names?saved=1"); !strings.Contains(page, ">Ffion Prydderch\n</textarea>") || !strings.Contains(page, "Saved: 1 names") {
		t.Fatalf("the saved names are not shown:\n%s", page)
	}

	sendComment(t, srv, after)
	got := strings.Join(releasedComments(t, srv), "\n")
	if !strings.Contains(got, before) {
		t.Fatalf("released comments %q: the one sent before the name was listed should keep it", got)
	}
	if !strings.Contains(got, "[name] listened to me, thank you.") || strings.Contains(got, "Prydderch listened") {
		t.Fatalf("released comments %q: the name listed is not generalised", got)
	}
}

func TestCommentNames_OnlyAdminsSaveThem(t *testing.T) {
	srv := apitest.New(t)
	for _, role := range []accounts.Role{accounts.RoleQuality, accounts.RoleModerator, accounts.RoleIntake} {
		b, _ := srv.Staff(t, role)
		if resp, _ := b.Get(t, "/admin/comment-names"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s reads the names page: %d", role, resp.StatusCode)
		}
		if resp, _ := apitest.PostWithCSRF(t, b, "/admin/comment-names", url.Values{"names": {"Ffion Prydderch"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s saves names: %d", role, resp.StatusCode)
		}
	}
	if resp, _ := srv.Browser().PostForm(t, "/admin/comment-names", url.Values{"names": {"Ffion Prydderch"}}); resp.StatusCode < 300 || resp.StatusCode == http.StatusOK {
		t.Errorf("signed out, saving names: %d", resp.StatusCode)
	}
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	if resp, _ := admin.PostForm(t, "/admin/comment-names", url.Values{"names": {"Ffion Prydderch"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an admin's save without the CSRF token: %d", resp.StatusCode)
	}
	if names, err := srv.Library.PractitionerNames(context.Background()); err != nil || len(names) != 0 {
		t.Fatalf("names saved by someone not allowed to: %v, %v", names, err)
	}
}

func TestCommentNames_ABadNameIsRefusedWithTheFieldMarkedAndTheListKept(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	list := "Ffion Prydderch\nAgent 007"
	resp, page := apitest.PostWithCSRF(t, admin, "/admin/comment-names", url.Values{"names": {list}})
	if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("bad name: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	for _, want := range []string{`<a href="#names">Line 2: `, `id="names-error"`, `has-error`, `aria-describedby="names-hint names-error"`, ">" + list + "</textarea>"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the refused form lacks %q:\n%s", want, page)
		}
	}
	if names, _ := srv.Library.PractitionerNames(context.Background()); len(names) != 0 {
		t.Fatalf("a refused list was saved: %v", names)
	}
}
