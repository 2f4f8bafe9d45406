package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

var staticHref = regexp.MustCompile(`href="(/static/[^"]+)"`)

// A survey, from the first page load to the thanks page, by form and by the
// JSON API, leaves not one line in the log; staff and intake requests leave
// one line each, with the route pattern and none of what was sent.
func TestLogs_SurveyTrafficLeavesNoLineAndStaffLinesHoldNothingSent(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	before := len(srv.Logs.String())

	// A phone answers by form, arriving with a campaign tag in the query.
	resp, page := srv.Get(t, "/s/counselling?utm_source=LogCanaryCampaign")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	if m := staticHref.FindStringSubmatch(page); m != nil {
		srv.Get(t, m[1])
	}
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Set("fft_why", "LogCanaryAnswer: the counsellor really listened")
	if resp, _ := srv.PostForm(t, "/s/counselling?ref=LogCanaryRef", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit form: %d", resp.StatusCode)
	}
	srv.PostForm(t, "/s/counselling", form) // a retry: "already received"
	srv.Get(t, "/s/counselling/thanks")
	// Another answers through the API.
	srv.Get(t, "/api/v1/surveys")
	body := `{"nonce":"` + apitest.APINonce(t, srv, "peer-support") + `","answers":{"fft":"good","fft_why":"LogCanaryJSON answer"}}`
	if resp, out := srv.PostJSON(t, "/api/v1/surveys/peer-support/responses", body); resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit JSON: %d %s", resp.StatusCode, out)
	}
	srv.PostJSON(t, "/api/v1/surveys/peer-support/responses", body) // a replay
	srv.Get(t, "/healthz")
	srv.Get(t, "/readyz")
	srv.Get(t, "/no-such-page?LogCanaryQuery")
	srv.ReleaseAll(t)
	if got := srv.Logs.String()[before:]; got != "" {
		t.Fatalf("survey traffic was logged:\n%s", got)
	}

	// A staff member signs in; a call handler opens and closes a contact.
	admin := "log-canary-admin@example.nhs.uk"
	srv.AddStaff(t, admin, accounts.RoleAdmin)
	adminBrowser := srv.SignIn(t, admin, apitest.StaffPassword)
	adminBrowser.Get(t, "/admin/users?q=LogCanaryStaffQuery")
	srv.Browser().PostForm(t, "/login", url.Values{"email": {"log-canary-wrong@example.nhs.uk"}, "password": {"LogCanaryWrongPassword"}})
	contactForm := apitest.With(apitest.With(apitest.CounsellingForm(), "name", "Logan Canary"), "organisation", "LogCanary NHS Trust")
	id := apitest.OpenContact(t, handler, contactForm)
	handler.Get(t, "/intake/contacts/"+id)
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"LogCanaryOutcome booked"}})
	handler.Get(t, "/intake/people?name=Logan+Canary&date_of_birth=1985-04-02")

	logs := srv.Logs.String()[before:]
	for _, want := range []string{"route=/login", "route=/admin/users", "route=/intake/contacts/new", "route=/intake/contacts/:id",
		"route=/intake/contacts/:id/close", "route=/intake/people", "status=303", "duration_ms="} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
	sent := []string{"LogCanary", "Logan", "Canary", "log-canary", admin, apitest.StaffPassword, "1985-04-02",
		"07700 900123", "07700900123", "7700900123", "900123", "alex.morgan", "LS1 4AP", "St Elsewhere", id,
		handler.CSRF(t), handler.Cookie(apitest.SessionCookie), "127.0.0.1", "Go-http-client", "utm_source", "?"}
	for _, v := range sent {
		if v != "" && strings.Contains(logs, v) {
			t.Errorf("the log holds %q, which the requests sent:\n%s", v, logs)
		}
	}
	// Every request line holds exactly these keys.
	key := regexp.MustCompile(`(?:^| )([a-z_]+)=`)
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !strings.Contains(line, "msg=request") {
			continue
		}
		var keys []string
		for _, m := range key.FindAllStringSubmatch(line, -1) {
			keys = append(keys, m[1])
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "duration_ms,level,method,msg,route,status,time" {
			t.Errorf("request line with keys %v: %s", keys, line)
		}
	}
}
