package surveyadmin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

var versionRe = regexp.MustCompile(`name="version" value="([^"]+)"`)

// publishReworded publishes the counselling survey with its "listened"
// question reworded, and has the app follow at once.
func publishReworded(t *testing.T, srv *apitest.Server) *survey.Published {
	t.Helper()
	cur, _ := srv.Surveys.Get("counselling")
	file, err := cur.File()
	if err != nil {
		t.Fatal(err)
	}
	var d survey.Definition
	if err := json.Unmarshal(file, &d); err != nil {
		t.Fatal(err)
	}
	q, _ := d.Question("listened")
	q.Prompt = "Did your counsellor listen to you?"
	file, _ = json.Marshal(d)
	p, err := srv.Library.Publish(context.Background(), file, "lead@example.org")
	if err != nil {
		t.Fatal(err)
	}
	srv.RefreshSurveys(t)
	return p
}

func TestSurveyVersions_AFormInFlightIsStoredAndCountedUnderItsOldVersion(t *testing.T) {
	srv := apitest.New(t)
	_, page := srv.Get(t, "/s/counselling")
	old := versionRe.FindStringSubmatch(page)
	nonce := nonceIn(t, page)
	if old == nil {
		t.Fatal("the form does not say which version it is")
	}
	p := publishReworded(t, srv)

	_, page = srv.Get(t, "/s/counselling")
	if !strings.Contains(page, "Did your counsellor listen to you?") || !strings.Contains(page, `value="`+p.Version+`"`) {
		t.Fatal("the survey page does not serve the version just published")
	}
	// The old form, sent after the publish, with its nonce issued before it.
	form := apitest.ValidForm(nonce)
	form.Set("version", old[1])
	resp, _ := srv.PostForm(t, "/s/counselling", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the old form was refused: %d", resp.StatusCode)
	}
	// And one on the new form.
	form = apitest.ValidForm(nonceIn(t, page))
	form.Set("version", p.Version)
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new form was refused: %d", resp.StatusCode)
	}
	srv.ReleaseAll(t)
	for _, v := range []string{old[1], p.Version} {
		var doc survey.CounterDoc
		err := srv.Collection("counters").FindOne(context.Background(), bson.D{{Key: "version", Value: v}}).Decode(&doc)
		if err != nil || doc.N != 1 || doc.A["listened"]["yes"] != 1 {
			t.Fatalf("version %s: counters %+v, %v; want one response that answered yes", v, doc, err)
		}
	}
}

func nonceIn(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="nonce" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no nonce in the form")
	}
	return m[1]
}

func TestSurveyVersions_AnAPIClientGivenTheOldVersionIsCountedUnderIt(t *testing.T) {
	srv := apitest.New(t)
	old, _ := srv.Surveys.Get("counselling")
	nonce := apitest.APINonce(t, srv, "counselling")
	publishReworded(t, srv)
	body := `{"nonce": "` + nonce + `", "version": "` + old.Version + `", "answers": {"fft": "good", "listened": "no"}}`
	if resp, b := srv.PostJSON(t, "/api/v1/surveys/counselling/responses", body); resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	srv.ReleaseAll(t)
	var doc survey.CounterDoc
	err := srv.Collection("counters").FindOne(context.Background(), bson.D{{Key: "version", Value: old.Version}}).Decode(&doc)
	if err != nil || doc.N != 1 || doc.A["listened"]["no"] != 1 {
		t.Fatalf("counters of the old version: %+v, %v", doc, err)
	}
}

func TestSurveyVersions_AnotherInstanceReadsAVersionPublishedAMomentAgo(t *testing.T) {
	a := apitest.New(t)
	b := apitest.NewOn(t, a.Store)
	p := publishReworded(t, a) // b has not polled the library yet
	_, page := a.Get(t, "/s/counselling")
	form := apitest.ValidForm(nonceIn(t, page))
	form.Set("version", p.Version)
	form.Set("listened", "no")
	if resp, _ := b.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the other instance refused the new form: %d", resp.StatusCode)
	}
	b.ReleaseAll(t)
	var doc survey.CounterDoc
	err := b.Collection("counters").FindOne(context.Background(), bson.D{{Key: "version", Value: p.Version}}).Decode(&doc)
	if err != nil || doc.N != 1 || doc.A["listened"]["no"] != 1 {
		t.Fatalf("counters of the new version: %+v, %v", doc, err)
	}
}
