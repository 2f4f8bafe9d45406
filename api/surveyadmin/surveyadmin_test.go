package surveyadmin_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

var (
	textFieldRe = regexp.MustCompile(`<input type="(?:text|hidden)" id="([^"]+)" name="[^"]+" value="([^"]*)"`)
	hiddenRe    = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	areaRe      = regexp.MustCompile(`(?s)<textarea id="([^"]+)" name="[^"]+"[^>]*>(.*?)</textarea>`)
	selectRe    = regexp.MustCompile(`<select id="([^"]+)"[^>]*>.*?<option value="([^"]+)" selected>`)
	checkedRe   = regexp.MustCompile(`<input type="checkbox" id="([^"]+)" name="[^"]+" value="yes" checked>`)
)

// formIn reads the draft form as a browser would send it untouched.
func formIn(body string) url.Values {
	v := url.Values{}
	for _, re := range []*regexp.Regexp{textFieldRe, hiddenRe, areaRe, selectRe} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			v.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	for _, m := range checkedRe.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], "yes")
	}
	return v
}

// draftForm opens the draft form of counselling as an admin.
func draftForm(t *testing.T, b *apitest.Browser) url.Values {
	t.Helper()
	resp, body := b.Get(t, "/admin/surveys/counselling/draft")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("draft form: %d", resp.StatusCode)
	}
	return formIn(body)
}

func TestSurveyAdmin_RewordPreviewPublishAndRollBack(t *testing.T) {
	srv := apitest.New(t)
	admin, email := srv.Staff(t, accounts.RoleAdmin)
	form := draftForm(t, admin)
	if form.Get("q3_prompt") != "Did you feel listened to by your counsellor?" || form.Get("base") != "1" {
		t.Fatalf("the draft form is not filled from the current version: %v", form)
	}
	if form.Get("q3_cy_prompt") == "" || form.Get("cy_title") == "" {
		t.Fatalf("the draft form does not carry the Welsh: %v", form)
	}
	form.Set("q3_prompt", "Did your counsellor listen to you?")
	form.Set("q3_cy_prompt", "A wnaeth eich cwnselydd wrando arnoch chi?")
	resp, _ := admin.PostForm(t, "/admin/surveys/counselling/draft", form)
	preview := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(preview, "/drafts/") {
		t.Fatalf("draft: %d %s", resp.StatusCode, preview)
	}
	_, body := admin.Get(t, preview)
	if !strings.Contains(body, "starts a new series") || strings.Count(body, "keeps its series") != 5 {
		t.Fatalf("the preview does not say what changes for the dashboards:\n%s", body)
	}
	if _, phone := admin.Get(t, preview+"/phone"); !strings.Contains(phone, "Did your counsellor listen to you?") || !strings.Contains(phone, "Preview of a draft") {
		t.Fatal("the phone preview does not show the draft")
	}
	if _, page := srv.Get(t, "/s/counselling"); strings.Contains(page, "Did your counsellor listen to you?") {
		t.Fatal("a draft is served before it is published")
	}
	resp, _ = admin.PostForm(t, preview+"/publish", url.Values{"csrf": {apitest.CSRFIn(t, body)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	if _, page := srv.Get(t, "/s/counselling"); !strings.Contains(page, "Did your counsellor listen to you?") {
		t.Fatal("the published version is not served")
	}
	if _, page := srv.Get(t, "/s/counselling?lang=cy"); !strings.Contains(page, "A wnaeth eich cwnselydd wrando arnoch chi?") {
		t.Fatal("the published version's Welsh is not served")
	}
	// Roll back to number 1.
	_, body = admin.Get(t, "/admin/surveys/counselling")
	resp, _ = admin.PostForm(t, "/admin/surveys/counselling/rollback", url.Values{"csrf": {apitest.CSRFIn(t, body)}, "number": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("roll back: %d", resp.StatusCode)
	}
	if _, page := srv.Get(t, "/s/counselling"); !strings.Contains(page, "Did you feel listened to by your counsellor?") {
		t.Fatal("the rolled-back version is not served")
	}
	for _, action := range []string{"survey_published", "survey_rolled_back"} {
		page, err := srv.Accounts.ReadAudit(context.Background(), "", 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range page.Entries {
			found = found || (string(e.Action) == action && e.Actor == email && strings.HasPrefix(e.Target, "counselling/"))
		}
		if !found {
			t.Errorf("no %s audit entry by %s", action, email)
		}
	}
}

func TestSurveyAdmin_BadDraftsAreRefusedWithTheFieldMarked(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	_, err := srv.Collection("counters").InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: "counselling|x|2026-01|open"}, {Key: "service", Value: "counselling"}, {Key: "version", Value: "x"},
		{Key: "month", Value: "2026-01"}, {Key: "n", Value: 1}, {Key: "a", Value: bson.D{{Key: "ease", Value: bson.D{{Key: "easy", Value: 1}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, field string
		edit        func(url.Values)
	}{
		{"duplicate id", "q3_id", func(f url.Values) { f.Set("q3_id", "ease") }},
		{"identifying question", "q3_prompt", func(f url.Values) { f.Set("q3_prompt", "What is your GMC number?") }},
		{"option with answers removed", "q2_options", func(f url.Values) {
			f.Set("q2_options", strings.Replace(f.Get("q2_options"), "easy = Easy\n", "", 1))
			f.Set("q2_cy_options", strings.Replace(f.Get("q2_cy_options"), "easy = Hawdd\n", "", 1))
		}},
		{"new option without its Welsh", "q2_cy_options", func(f url.Values) {
			f.Set("q2_options", f.Get("q2_options")+"\nnot_sure = Not sure")
		}},
		{"Welsh prompt missing", "q3_cy_prompt", func(f url.Values) { f.Set("q3_cy_prompt", "") }},
		{"prompt missing", "q2_prompt", func(f url.Values) { f.Set("q2_prompt", ""); f.Set("q2_hint", "x") }},
		{"options not value = label", "q2_options", func(f url.Values) { f.Set("q2_options", "Very easy\nEasy") }},
		{"over two minutes", "", func(f url.Values) {
			for _, n := range []string{"6", "7"} {
				f.Set("q"+n+"_id", "more"+n)
				f.Set("q"+n+"_short", "More")
				f.Set("q"+n+"_kind", "text")
				f.Set("q"+n+"_prompt", "Is there anything else you would like to tell us about your contact with us?")
				f.Set("q"+n+"_max_length", "500")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := draftForm(t, admin)
			c.edit(form)
			resp, body := admin.PostForm(t, "/admin/surveys/counselling/draft", form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "There is a problem") {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if c.field != "" && !strings.Contains(body, `href="#`+c.field+`"`) {
				t.Fatalf("the error summary does not link to %s:\n%s", c.field, body)
			}
			if c.field != "" && !regexp.MustCompile(`id="`+c.field+`-error"`).MatchString(body) {
				t.Fatalf("%s is not marked", c.field)
			}
		})
	}
	if h, _ := srv.Library.History(context.Background(), "counselling"); len(h) != 1 {
		t.Fatalf("%d versions after refused drafts, want 1", len(h))
	}
}

func TestSurveyAdmin_TwoAdminsPublishingAtOnceOneIsTold(t *testing.T) {
	srv := apitest.New(t)
	one, _ := srv.Staff(t, accounts.RoleAdmin)
	two, _ := srv.Staff(t, accounts.RoleAdmin)
	var previews []string
	for i, b := range []*apitest.Browser{one, two} {
		form := draftForm(t, b)
		form.Set("q2_prompt", []string{"How easy was it to reach us?", "How easy was it to contact us?"}[i])
		resp, _ := b.PostForm(t, "/admin/surveys/counselling/draft", form)
		previews = append(previews, resp.Header.Get("Location"))
	}
	for i, b := range []*apitest.Browser{one, two} {
		_, body := b.Get(t, previews[i])
		resp, body := b.PostForm(t, previews[i]+"/publish", url.Values{"csrf": {apitest.CSRFIn(t, body)}})
		if i == 0 && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first publisher: %d", resp.StatusCode)
		}
		if i == 1 && (resp.StatusCode != http.StatusConflict || !strings.Contains(body, "someone else published")) {
			t.Fatalf("second publisher: %d, not told", resp.StatusCode)
		}
	}
	if _, page := srv.Get(t, "/s/counselling"); !strings.Contains(page, "How easy was it to reach us?") {
		t.Fatal("the first publisher's version is not served")
	}
}

func TestSurveyAdmin_OnlyAdminsMayChangeSurveys(t *testing.T) {
	srv := apitest.New(t)
	for _, role := range []accounts.Role{accounts.RoleQuality, accounts.RoleIntake} {
		b, _ := srv.Staff(t, role)
		if resp, _ := b.Get(t, "/admin/surveys/counselling/draft"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", role, resp.StatusCode)
		}
	}
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	form := draftForm(t, admin)
	form.Set("q2_prompt", "How easy was it to reach us?")
	form.Del("csrf")
	if resp, _ := admin.PostForm(t, "/admin/surveys/counselling/draft", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a draft without the CSRF token: %d, want 403", resp.StatusCode)
	}
}
