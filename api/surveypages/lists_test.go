package surveypages_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

// publishVideoCounselling publishes a survey for a new service, "video
// counselling", through the survey library, and lets the app follow the
// library as its 15-second poll does.
func publishVideoCounselling(t *testing.T, srv *apitest.Server) {
	t.Helper()
	cur, _ := srv.Surveys.Get("counselling")
	file, err := cur.File()
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(file, &d); err != nil {
		t.Fatal(err)
	}
	d["service"], d["based_on"], d["title"] = "video-counselling", "counselling", "Feedback on video counselling"
	file, _ = json.Marshal(d)
	if _, err := srv.Library.Publish(context.Background(), file, "lead@example.org"); err != nil {
		t.Fatal(err)
	}
	srv.RefreshSurveys(t)
}

// The pages that offer the surveys to someone whose link failed (a 404
// anywhere, a broken invitation) and the privacy page follow the survey
// library: a service published after start-up is there without a restart.
func TestSurveyLists_FollowAServicePublishedAfterStartUp(t *testing.T) {
	srv := apitest.New(t)
	if _, body := srv.Get(t, "/no-such-page"); strings.Contains(body, "/s/video-counselling") {
		t.Fatalf("listed before it was published:\n%s", body)
	}
	publishVideoCounselling(t, srv)
	for _, path := range []string{"/no-such-page", "/s/no-such-survey", "/s/no-such-survey/privacy", "/i/not-a-real-code"} {
		resp, body := srv.Get(t, path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `href="/s/video-counselling`) ||
			!strings.Contains(body, "Feedback on video counselling") || !strings.Contains(body, `href="/s/counselling`) {
			t.Errorf("%s: %d, the new service is not offered:\n%s", path, resp.StatusCode, body)
		}
	}
	if resp, body := srv.Get(t, "/s/video-counselling/privacy"); resp.StatusCode != http.StatusOK {
		t.Errorf("privacy page of the new service: %d\n%s", resp.StatusCode, body)
	}
}
