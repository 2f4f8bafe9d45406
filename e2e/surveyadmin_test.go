package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// An admin, who lands on the staff home, rewords a counselling question in
// English only: a mistake is marked on its field, the preview says what
// changes for the dashboards, warns that the Welsh did not change, and shows
// the page as a phone does; publishing asks first, listing every difference;
// the published version is what the survey then serves; the versions list
// shows what changed, and rolling back asks first too.
func TestSurveyEditor_RewordPreviewOnAPhoneAndPublish(t *testing.T) {
	srv := apitest.New(t)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleAdmin)
	if at := eval[string](t, ctx, `location.pathname`); at != "/staff" {
		t.Fatalf("an admin landed on %s after signing in, want the staff home", at)
	}

	do(t, ctx, "open the surveys", chromedp.Navigate(srv.URL+"/staff"), chromedp.Click(chromedp.CSS(`main a[href="/admin/surveys"]`)))
	do(t, ctx, "open counselling", chromedp.WaitVisible(chromedp.CSS(`main a[href="/admin/surveys/counselling"]`)),
		chromedp.Click(chromedp.CSS(`main a[href="/admin/surveys/counselling"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main a[href="/admin/surveys/counselling/draft"]`)))
	do(t, ctx, "draft a new version", chromedp.Click(chromedp.CSS(`main a[href="/admin/surveys/counselling/draft"]`)),
		chromedp.WaitVisible(chromedp.ID("q3_prompt")))

	setField := func(id, value string) {
		t.Helper()
		eval[bool](t, ctx, `(document.getElementById(`+jsString(id)+`).value = '', true)`)
		do(t, ctx, "write "+id, chromedp.Click(chromedp.ID(id)), typeKeys(value))
	}
	setField("q3_prompt", "Did your counsellor listen to you?")
	setField("q3_id", "ease") // a mistake: the id of another question
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusUnprocessableEntity, "/admin/surveys/counselling/draft")
	if s := text(t, ctx, "#q3_id-error"); !strings.Contains(s, `"ease" appears twice`) {
		t.Fatalf("the id field says %q", s)
	}
	if v := eval[string](t, ctx, `document.getElementById('q3_prompt').value`); v != "Did your counsellor listen to you?" {
		t.Fatalf("the rewording was not kept: %q", v)
	}
	screenshot(t, ctx, "survey-draft-error", desktop)
	checkAccessible(t, ctx, "draft with an error")

	setField("q3_id", "listened")
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sendForm)))
	if err != nil || resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/admin/surveys/drafts/") {
		t.Fatalf("preview: %+v %v", resp, err)
	}
	preview := resp.URL
	changes := eval[[]string](t, ctx, `[...document.querySelectorAll('main tbody tr')].map(r => r.innerText.replace(/\s+/g, ' '))`)
	if len(changes) != 6 || !strings.Contains(changes[3], "starts a new series") || !strings.Contains(changes[2], "keeps its series") {
		t.Fatalf("what changes for the dashboards: %q", changes)
	}
	if s := text(t, ctx, ".warning"); !strings.Contains(s, "the English wording changed but the Welsh did not") {
		t.Fatalf("the preview does not warn that the Welsh was left: %q", s)
	}
	screenshot(t, ctx, "survey-preview", desktop)
	checkAccessible(t, ctx, "survey preview")

	do(t, ctx, "see it as a phone does", phone.emulate(), chromedp.Navigate(preview+"/phone"))
	if s := text(t, ctx, "main"); !strings.Contains(s, "Did your counsellor listen to you?") || !strings.Contains(s, "Preview of a draft") {
		t.Fatalf("phone preview: %q", s)
	}
	screenshot(t, ctx, "survey-preview-phone", phone)
	checkAccessible(t, ctx, "phone preview")

	do(t, ctx, "back to the preview", desktop.emulate(), chromedp.Navigate(preview))
	submit(t, ctx, chromedp.Click(chromedp.CSS(`main a.button[href$="/publish"]`)), http.StatusOK, "/publish")
	if s := text(t, ctx, "main"); !strings.Contains(s, "Publish this draft of counselling?") || !strings.Contains(s, "Changed: Felt listened to") ||
		!strings.Contains(s, "Did you feel listened to by your counsellor?") || !strings.Contains(s, "the Welsh did not") {
		t.Fatalf("the publish confirmation: %q", s)
	}
	screenshot(t, ctx, "survey-publish-confirm", desktop)
	checkAccessible(t, ctx, "publish confirmation")
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/admin/surveys/counselling?published=2")
	if s := text(t, ctx, ".notice"); !strings.Contains(s, "Published as number 2") {
		t.Fatalf("after publishing: %q", s)
	}
	screenshot(t, ctx, "survey-versions", desktop)
	checkAccessible(t, ctx, "survey versions after publishing")

	submit(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/admin/surveys/counselling/compare?from=1&to=2"]`)), http.StatusOK, "/compare")
	if s := text(t, ctx, "main"); !strings.Contains(s, "From number 1 to number 2") || !strings.Contains(s, "1 question changed") {
		t.Fatalf("what changed in number 2: %q", s)
	}
	screenshot(t, ctx, "survey-compare", desktop)
	checkAccessible(t, ctx, "compare two versions")

	do(t, ctx, "back to the versions", chromedp.Navigate(srv.URL+"/admin/surveys/counselling"))
	submit(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/admin/surveys/counselling/rollback?number=1"]`)), http.StatusOK, "/rollback?number=1")
	if s := text(t, ctx, "main"); !strings.Contains(s, "Roll back counselling to number 1?") || !strings.Contains(s, "Did your counsellor listen to you?") {
		t.Fatalf("the roll-back confirmation: %q", s)
	}
	screenshot(t, ctx, "survey-rollback-confirm", desktop)
	do(t, ctx, "see it as a phone does", phone.emulate(), chromedp.Reload())
	screenshot(t, ctx, "survey-rollback-confirm", phone)
	checkAccessible(t, ctx, "roll-back confirmation on a phone")
	checkReflow(t, ctx, "roll-back confirmation on a phone")
	do(t, ctx, "desktop again", desktop.emulate())
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/admin/surveys/counselling?published=3")

	do(t, ctx, "open the survey", chromedp.Navigate(srv.URL+"/s/counselling"))
	if s := text(t, ctx, "main"); !strings.Contains(s, "Did you feel listened to by your counsellor?") {
		t.Fatal("the survey does not ask the wording rolled back to")
	}
}
