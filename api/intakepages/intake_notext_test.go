package intakepages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

func TestCloseContact_NoSurveyTextWithAReasonIsRecordedAndShown(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	_, body := handler.Get(t, "/intake/contacts/"+id)
	for _, want := range []string{`name="no_text" value="" checked`, `value="distressing"`, `value="shared-phone"`, `value="asked-not-to"`, `value="other"`,
		"Survey text for this contact", "No survey text: the call was distressing"} {
		if !strings.Contains(body, want) {
			t.Errorf("closing form lacks %s", want)
		}
	}
	resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Listened"}, "no_text": {"because"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#no_text"`) || !strings.Contains(body, "Listened") {
		t.Fatalf("unknown reason: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Listened"}, "no_text": {"distressing"}})
	apitest.WantRedirect(t, "close", resp, "/intake/contacts/"+id)
	_, body = handler.Get(t, "/intake/contacts/"+id)
	for _, want := range []string{"No survey text: you chose none for this contact.", "<th scope=\"row\">No survey text</th><td>The call was distressing</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("closed contact lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, ">distressing<") {
		t.Error("the stored value is shown raw")
	}
	outbox, err := intake.NewOutbox(srv.Intake, &apitest.TextSender{}, nil, "https://feedback.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(context.Background()); err != nil || res.Sent != 0 {
		t.Fatalf("outbox: %+v %v; want nothing sent", res, err)
	}
}

func TestNewContact_ASharedPhoneGetsTheNeutralText(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	_, body := handler.Get(t, "/intake/contacts/new?risk=no")
	if !strings.Contains(body, `name="neutral_text"`) {
		t.Fatal("the form does not offer neutral wording")
	}
	form := apitest.CounsellingForm()
	form.Set("neutral_text", "yes")
	id := apitest.OpenContact(t, handler, form)
	_, body = handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, "worded neutrally") {
		t.Errorf("contact page does not say the text is neutral:\n%s", body)
	}
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Booked"}})
	apitest.WantRedirect(t, "close", resp, "/intake/contacts/"+id)
	sender := &apitest.TextSender{}
	outbox, err := intake.NewOutbox(srv.Intake, sender, nil, "https://feedback.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(context.Background()); err != nil || res.Sent != 1 {
		t.Fatalf("outbox: %+v %v", res, err)
	}
	if want := "Thank you for your call. Tell us how it went: https://feedback.example.org/s/counselling"; sender.Sent[0].Text != want {
		t.Fatalf("sent %q, want %q", sender.Sent[0].Text, want)
	}
}

func TestAdminIntakeSettings_ChangeTheDaysBetweenTextsAudited(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	resp, body := admin.Get(t, "/admin/intake-settings")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="text_interval_days" value="30"`) {
		t.Fatalf("settings page: %d\n%s", resp.StatusCode, body)
	}
	for _, bad := range []string{"", "soon", "0", "400"} {
		resp, body = apitest.PostWithCSRF(t, admin, "/admin/intake-settings", url.Values{"text_interval_days": {bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#text_interval_days"`) {
			t.Fatalf("%q: %d\n%s", bad, resp.StatusCode, body)
		}
	}
	resp, body = apitest.PostWithCSRF(t, admin, "/admin/intake-settings", url.Values{"text_interval_days": {" 14 "}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Settings saved.") || !strings.Contains(body, `value="14"`) {
		t.Fatalf("save: %d\n%s", resp.StatusCode, body)
	}
	if st, _ := srv.Intake.Settings(context.Background()); st.TextIntervalDays != 14 {
		t.Fatalf("stored %+v", st)
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "intake_settings_changed", "intake") {
		t.Error("change not audited")
	}
	handler, _ := srv.Staff(t, accounts.RoleIntake)
	if resp, _ := handler.Get(t, "/admin/intake-settings"); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
		t.Errorf("a call handler opened intake settings: %d", resp.StatusCode)
	}
}
