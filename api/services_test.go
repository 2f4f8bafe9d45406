package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
)

// addVideoCounselling publishes a survey for a new service based on
// counselling, and gives intake and the invitation codes the library's list,
// as serve does when it follows the library.
func addVideoCounselling(t *testing.T, srv *apitest.Server) {
	t.Helper()
	ctx := context.Background()
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
	if _, err := srv.Library.Publish(ctx, file, "lead@example.org"); err != nil {
		t.Fatal(err)
	}
	srv.RefreshSurveys(t)
	index, err := srv.Library.NumberServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Invitations.SetServices(index); err != nil {
		t.Fatal(err)
	}
	list := append(intake.BuiltInServices, intake.Service{Type: "video-counselling", Title: "Video counselling", Kind: intake.Counselling})
	if err := srv.Intake.Services.Set(list); err != nil {
		t.Fatal(err)
	}
}

// A service added in the survey library is served, invited, counted on the
// dashboards and offered to call handlers, who route it like counselling.
func TestServices_AServiceAddedInTheLibraryWorksOnBothSidesOfTheWall(t *testing.T) {
	srv, handler := apitest.IntakeServer(t, apitest.WithClock(apitest.NewClock().Now))
	addVideoCounselling(t, srv)

	if resp, body := srv.Get(t, "/s/video-counselling"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Feedback on video counselling") {
		t.Fatalf("survey page: %d\n%s", resp.StatusCode, body)
	}
	code, err := srv.Invitations.Mint("video-counselling")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := srv.Get(t, "/i/"+code)
	nonce := apitest.NonceInForm.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || nonce == nil || !strings.Contains(body, `action="/s/video-counselling?lang=en"`) {
		t.Fatalf("invited form: %d\n%s", resp.StatusCode, body)
	}
	form := apitest.ValidForm(nonce[1])
	form.Set("invitation", code)
	if resp, _ := srv.PostForm(t, "/s/video-counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	spent := invitation.NewStore(srv.Store.Database(invitation.Database), srv.Invitations)
	if _, err := spent.SpendFor(context.Background(), "video-counselling", code); !errors.Is(err, invitation.ErrUsed) {
		t.Errorf("spending the invitation again: %v, want ErrUsed", err)
	}

	quality, _ := srv.Staff(t, accounts.RoleQuality)
	if resp, body := quality.Get(t, "/dashboards"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "/dashboards/video-counselling") {
		t.Errorf("dashboards do not list the new service: %d\n%s", resp.StatusCode, body)
	}

	if _, body := handler.Get(t, "/intake/contacts/new?risk=no"); !strings.Contains(body, `value="video-counselling"`) || !strings.Contains(body, "Video counselling (as counselling)") ||
		!strings.Contains(body, `value="video-counselling" class="kind-counselling"`) {
		t.Errorf("the contact form does not offer the new service:\n%s", body)
	}
	f := apitest.CounsellingForm()
	f.Set("service", "video-counselling")
	id := apitest.OpenContact(t, handler, f)
	ct, err := srv.Intake.Contact(context.Background(), id)
	if err != nil || ct.Service != "video-counselling" || ct.Session != 1 || ct.PractitionerName != "Dr Casey Counsellor" {
		t.Fatalf("contact %+v %v, want video-counselling, session 1, with the counsellor", ct, err)
	}
}
