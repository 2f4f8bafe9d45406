package surveyadmin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// saveDraft sends the draft form with edit applied and returns the preview's address.
func saveDraft(t *testing.T, admin *apitest.Browser, edit func(url.Values)) string {
	t.Helper()
	form := draftForm(t, admin)
	edit(form)
	resp, body := admin.PostForm(t, "/admin/surveys/counselling/draft", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("draft: %d\n%s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func versions(t *testing.T, srv *apitest.Server) int {
	t.Helper()
	h, err := srv.Library.History(context.Background(), "counselling")
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

func TestSurveyAdmin_PublishAsksFirstAndSaysWhatChanges(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	preview := saveDraft(t, admin, func(f url.Values) {
		f.Set("q3_prompt", "Did your counsellor listen to you?") // the Welsh left as it was
		f.Set("q5_remove", "yes")
	})
	_, body := admin.Get(t, preview)
	if strings.Contains(body, `method="post" action="`+preview+`/publish"`) || !strings.Contains(body, `href="`+preview+`/publish"`) {
		t.Fatalf("the preview publishes in one click, or does not lead to the confirmation:\n%s", body)
	}
	if !strings.Contains(body, "the English wording changed but the Welsh did not") {
		t.Fatalf("the preview does not warn of the Welsh left behind:\n%s", body)
	}
	resp, confirm := admin.Get(t, preview+"/publish")
	if resp.StatusCode != http.StatusOK || versions(t, srv) != 1 {
		t.Fatalf("GET of the confirmation: %d, %d versions (want 1: nothing published yet)", resp.StatusCode, versions(t, srv))
	}
	for _, want := range []string{
		"Publish this draft of counselling?", "as number 2",
		"Changed: Felt listened to", "English wording", "Did you feel listened to by your counsellor?", "Did your counsellor listen to you?",
		"Removed: What it helped with", "1 question removed, 1 question changed",
		"the English wording changed but the Welsh did not",
		`method="post" action="` + preview + `/publish"`, `name="csrf"`, "Cancel",
	} {
		if !strings.Contains(confirm, want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	// Without the CSRF token nothing is published; with it, it is.
	if resp, _ := admin.PostForm(t, preview+"/publish", url.Values{}); resp.StatusCode != http.StatusForbidden || versions(t, srv) != 1 {
		t.Fatalf("a publish without the CSRF token: %d, %d versions", resp.StatusCode, versions(t, srv))
	}
	resp, _ = admin.PostForm(t, preview+"/publish", url.Values{"csrf": {apitest.CSRFIn(t, confirm)}})
	if resp.StatusCode != http.StatusSeeOther || versions(t, srv) != 2 {
		t.Fatalf("publish: %d, %d versions", resp.StatusCode, versions(t, srv))
	}
}

func TestSurveyAdmin_AChangeInBothLanguagesIsNotWarnedOf(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	preview := saveDraft(t, admin, func(f url.Values) {
		f.Set("q3_prompt", "Did your counsellor listen to you?")
		f.Set("q3_cy_prompt", "A wnaeth eich cwnselydd wrando arnoch chi?")
	})
	_, confirm := admin.Get(t, preview+"/publish")
	if strings.Contains(confirm, "Check the other language") || !strings.Contains(confirm, "Welsh wording") {
		t.Fatalf("a change in both languages: warned, or the Welsh change not shown:\n%s", confirm)
	}
}

func TestSurveyAdmin_RollBackAsksFirstAndSaysWhatChanges(t *testing.T) {
	srv := apitest.New(t)
	publishReworded(t, srv)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	_, list := admin.Get(t, "/admin/surveys/counselling")
	if strings.Contains(list, `action="/admin/surveys/counselling/rollback"`) || !strings.Contains(list, `href="/admin/surveys/counselling/rollback?number=1"`) {
		t.Fatalf("the versions list rolls back in one click, or does not lead to the confirmation:\n%s", list)
	}
	resp, confirm := admin.Get(t, "/admin/surveys/counselling/rollback?number=1")
	if resp.StatusCode != http.StatusOK || versions(t, srv) != 2 {
		t.Fatalf("GET of the confirmation: %d, %d versions", resp.StatusCode, versions(t, srv))
	}
	for _, want := range []string{"Roll back counselling to number 1?", "as number 3", "current version (number 2)",
		"Changed: Felt listened to", "Did your counsellor listen to you?", `name="number" value="1"`, `name="csrf"`} {
		if !strings.Contains(confirm, want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	for _, bad := range []string{"number=0", "number=9", "number=x", "number=-1"} {
		if resp, _ := admin.Get(t, "/admin/surveys/counselling/rollback?"+bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, resp.StatusCode)
		}
	}
	resp, _ = admin.PostForm(t, "/admin/surveys/counselling/rollback", url.Values{"csrf": {apitest.CSRFIn(t, confirm)}, "number": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || versions(t, srv) != 3 {
		t.Fatalf("roll back: %d, %d versions", resp.StatusCode, versions(t, srv))
	}
}

func TestSurveyAdmin_AnyTwoVersionsCanBeCompared(t *testing.T) {
	srv := apitest.New(t)
	publishReworded(t, srv)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	_, list := admin.Get(t, "/admin/surveys/counselling")
	if !strings.Contains(list, `href="/admin/surveys/counselling/compare?from=1&amp;to=2"`) || !strings.Contains(list, `action="/admin/surveys/counselling/compare"`) {
		t.Fatalf("the versions list has no differences to show:\n%s", list)
	}
	_, page := admin.Get(t, "/admin/surveys/counselling/compare?from=1&to=2")
	if !strings.Contains(page, "From number 1 to number 2") || !strings.Contains(page, "Changed: Felt listened to") ||
		!strings.Contains(page, "Did your counsellor listen to you?") || strings.Contains(page, "Overall experience") {
		t.Fatalf("compare 1 with 2:\n%s", page)
	}
	if _, page := admin.Get(t, "/admin/surveys/counselling/compare?from=2&to=2"); !strings.Contains(page, "exactly the same") {
		t.Fatal("a version compared with itself shows differences")
	}
	for _, q := range []string{"from=x&to=<script>", "from=-5&to=99999999999999999999", ""} {
		resp, page := admin.Get(t, "/admin/surveys/counselling/compare?"+q)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "From number 1 to number 2") {
			t.Errorf("%q: %d, want the last two versions compared", q, resp.StatusCode)
		}
	}
	if resp, _ := admin.Get(t, "/admin/surveys/nope/compare"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown service: %d", resp.StatusCode)
	}
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	for _, path := range []string{"/admin/surveys/counselling/compare", "/admin/surveys/counselling/rollback?number=1"} {
		if resp, _ := quality.Get(t, path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a quality lead on %s: %d", path, resp.StatusCode)
		}
	}
}
