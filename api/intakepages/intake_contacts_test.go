package intakepages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/intake"
)

func TestNewContact_FromFormToClosedQueuesOneSurveyTextAndCountsTheInvitation(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	resp, body := handler.Get(t, "/intake/contacts/new?risk=no")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("form: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	for _, want := range []string{`name="csrf"`, `id="service"`, `id="channel"`, `id="role"`, `name="date_of_birth-day"`, `name="date_of_birth-month"`, `name="date_of_birth-year"`,
		`name="same_counsellor"`, `name="risk"`, `name="feedback_agreed"`, `name="organisation"`, `name="job_role"`} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("inline script or style in the form")
	}

	id := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	resp, body = handler.Get(t, "/intake/contacts/"+id)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("contact page: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	for _, want := range []string{"Routed to Dr Casey Counsellor", "the active counsellor with the most free capacity this week",
		"session 1 of 6", `action="/intake/contacts/` + id + `/close"`} {
		if !strings.Contains(body, want) {
			t.Errorf("contact page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `id="risk-guidance"`) {
		t.Error("emergency guidance shown without a risk flag")
	}

	// Closing needs an outcome.
	resp, body = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#outcome"`) {
		t.Fatalf("close without outcome: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"First session booked"}})
	apitest.WantRedirect(t, "close", resp, "/intake/contacts/"+id)
	_, body = handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, "Contact closed. The survey text is queued") || strings.Contains(body, `/close"`) {
		t.Fatalf("closed contact page:\n%s", body)
	}
	// Closing again changes nothing and says so.
	resp, body = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"again"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already been closed") {
		t.Fatalf("second close: %d", resp.StatusCode)
	}

	// The outbox sends the one text, with nothing about the person in it, and counts it.
	sender, counts := &apitest.TextSender{}, &invitations{}
	outbox, err := intake.NewOutbox(srv.Intake, sender, counts, "https://feedback.example.org")
	if err != nil {
		t.Fatal(err)
	}
	res, err := outbox.ProcessDue(context.Background())
	if err != nil || res.Sent != 1 {
		t.Fatalf("process outbox: %+v %v", res, err)
	}
	if res, _ := outbox.ProcessDue(context.Background()); res.Sent != 0 {
		t.Fatalf("sent again: %+v", res)
	}
	want := apitest.SentText{To: "+447700900123", Text: intake.SurveyText("https://feedback.example.org", intake.Counselling)}
	if len(sender.Sent) != 1 || sender.Sent[0] != want {
		t.Fatalf("sent %+v, want %+v", sender.Sent, want)
	}
	day := clocktest.Wall().In(srv.Intake.Location).Format(time.DateOnly) // intake counts on the tests' running clock
	if len(counts.counts) != 1 || counts.counts["counselling|"+day] != 1 {
		t.Fatalf("invitation counts %v", counts.counts)
	}
	for _, secret := range []string{"Alex", "Morgan", "900123", "alex.morgan"} {
		if strings.Contains(srv.Logs.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

func TestNewContact_PeerSupportGivesThePeerSupportersNumber(t *testing.T) {
	_, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.PeerForm())
	_, body := handler.Get(t, "/intake/contacts/"+id)
	for _, want := range []string{"Routed to Dr Pat Peer", "the active peer supporter", "<strong>07700 900999</strong>"} {
		if !strings.Contains(body, want) {
			t.Errorf("peer-support contact lacks %q", want)
		}
	}
}

func TestNewContact_ProblemsAreSummarisedMarkedPerFieldAndAnswersKept(t *testing.T) {
	_, handler := apitest.IntakeServer(t)
	form := apitest.CounsellingForm()
	form.Del("service")
	form.Del("date_of_birth")
	form.Set("date_of_birth-day", "2")
	form.Set("date_of_birth-month", "April")
	form.Set("date_of_birth-year", "1985")
	form.Set("organisation", "")
	resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"<title>Error: New contact", "There is a problem", `href="#service"`, `href="#date_of_birth"`,
		`id="date_of_birth-error"`, `id="service-error"`, `value="April"`, "must be a real date", `value="Alex Morgan"`, `value="07700 900123"`,
		`name="feedback_agreed" value="yes" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, `href="#postcode"`) {
		t.Error("postcode marked without a risk flag")
	}
}

func TestNewContact_EligibilityRefusalNamesTheRule(t *testing.T) {
	_, handler := apitest.IntakeServer(t)
	cases := map[string]struct {
		role, dob, rule string
	}{
		"dependant aged 30": {"dependant", time.Now().AddDate(-30, 0, 0).Format(time.DateOnly), intake.RuleDependantAge},
		"under 16":          {"doctor", time.Now().AddDate(-15, 0, 0).Format(time.DateOnly), intake.RuleMinimumAge},
		"not eligible":      {"other", "1980-01-01", intake.RuleEligibleGroups},
	}
	for name, c := range cases {
		form := apitest.CounsellingForm()
		form.Set("role", c.role)
		form.Set("date_of_birth", c.dob)
		resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The service cannot help this caller") ||
			!strings.Contains(body, strings.ReplaceAll(c.rule, "'", "&#39;")) || !strings.Contains(body, `value="Alex Morgan"`) {
			t.Errorf("%s: %d\n%s", name, resp.StatusCode, body)
		}
	}
}

// Immediate risk never waits for the postcode: the contact is opened, routed,
// and marked incomplete until the postcode is given (or refused).
func TestNewContact_RiskFlagShowsEmergencyGuidanceAsksForThePostcodeAfterAndIsAudited(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	form := apitest.CounsellingForm()
	form.Set("risk", "yes")
	form.Del("postcode")
	id := apitest.OpenContact(t, handler, form)
	_, body := handler.Get(t, "/intake/contacts/"+id)
	for _, want := range []string{`id="risk-guidance"`, "999", "A&amp;E", "GP", "Flagged", `id="incomplete"`,
		"Postcode: not known yet", "Routed to Dr Casey Counsellor"} {
		if !strings.Contains(body, want) {
			t.Errorf("contact page lacks %q", want)
		}
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "risk_flagged", id) {
		t.Error("risk flag not in the audit log")
	}
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/details", url.Values{"postcode": {"ls1 4ap"}})
	apitest.WantRedirect(t, "postcode", resp, "/intake/contacts/"+id)
	if _, body = handler.Get(t, "/intake/contacts/"+id); strings.Contains(body, `id="incomplete"`) {
		t.Errorf("still incomplete:\n%s", body)
	}
}

func TestNewContact_SeventhCounsellingSessionIsRefusedWithASignpost(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	first := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, err := srv.Intake.Contact(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	again := apitest.With(apitest.CounsellingForm(), "person_id", c.PersonID)
	for range 5 {
		apitest.OpenContact(t, handler, apitest.With(again, "same_counsellor", "yes"))
	}
	resp, body := handler.Get(t, "/intake/contacts/new?person="+c.PersonID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Counselling sessions so far: 6 of 6") {
		t.Fatalf("returning caller's form: %d\n%s", resp.StatusCode, body)
	}
	resp, body = apitest.PostWithCSRF(t, handler, "/intake/contacts/new", again)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("seventh session: %d", resp.StatusCode)
	}
	for _, want := range []string{"The service cannot help this caller", intake.RuleSessionLimit, "has had 6 counselling sessions",
		"NHS Talking Therapies"} {
		if !strings.Contains(body, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("refusal lacks %q", want)
		}
	}
	// Peer support is still open to them.
	peer := apitest.With(apitest.PeerForm(), "person_id", c.PersonID)
	for _, detail := range []string{"name", "date_of_birth", "role", "phone"} {
		peer.Set("keep_"+detail, "new") // another person's details, in the test: the handler chose
	}
	apitest.OpenContact(t, handler, peer)
}

func TestNewContact_NoActivePractitionerIsExplained(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	ps, _ := srv.Intake.Practitioners(context.Background(), intake.Counsellor)
	for _, p := range ps {
		if err := srv.Intake.SetPractitionerActive(context.Background(), p.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", apitest.CounsellingForm())
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "There is no active counsellor") {
		t.Fatalf("%d\n%s", resp.StatusCode, body)
	}
}

// A caller who chooses Welsh is texted in Welsh, with the Welsh survey page's link.
func TestNewContact_WelshCallerIsTextedInWelsh(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	_, body := handler.Get(t, "/intake/contacts/new?risk=no")
	if !strings.Contains(body, `name="language" value="cy"`) {
		t.Fatalf("form lacks the Welsh choice")
	}
	id := apitest.OpenContact(t, handler, apitest.With(apitest.CounsellingForm(), "language", "cy"))
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Booked"}})
	sender := &apitest.TextSender{}
	outbox, err := intake.NewOutbox(srv.Intake, sender, nil, "https://feedback.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(context.Background()); err != nil || res.Sent != 1 {
		t.Fatalf("outbox %+v %v", res, err)
	}
	if want := intake.SurveyTextIn("https://feedback.example.org", intake.Counselling, intake.Welsh); sender.Sent[0].Text != want ||
		!strings.HasSuffix(want, "/s/counselling?lang=cy") {
		t.Errorf("sent %q, want %q", sender.Sent[0].Text, want)
	}
}

// The first step asks, after immediate risk, which service the caller wants;
// not at risk, the form then asks that service's questions only, with no
// script, and a link goes back to change the service.
func TestNewContact_TheFirstStepPicksTheServiceAndTheFormAsksOnlyItsQuestions(t *testing.T) {
	_, handler := apitest.IntakeServer(t)
	_, body := handler.Get(t, "/intake/contacts/new")
	if !strings.Contains(body, "Which service is the caller asking for?") || !strings.Contains(body, `name="service" value="peer-support"`) {
		t.Fatalf("first step:\n%s", body)
	}
	resp, body := handler.Get(t, "/intake/contacts/new?asked=1&risk=no")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#service"`) || !strings.Contains(body, `value="no" checked`) {
		t.Fatalf("no service: %d\n%s", resp.StatusCode, body)
	}
	resp, body = handler.Get(t, "/intake/contacts/new?asked=1&risk=no&service=counselling")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<input type="hidden" name="service" value="counselling">`) ||
		!strings.Contains(body, `name="organisation"`) || !strings.Contains(body, `name="same_counsellor"`) ||
		strings.Contains(body, `name="job_role"`) || strings.Contains(body, `name="address"`) || strings.Contains(body, `type="radio" id="service"`) {
		t.Fatalf("counselling form: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `href="/intake/contacts/new?first=1&amp;risk=no&amp;service=counselling"`) {
		t.Error("no link to change the service")
	}
	_, body = handler.Get(t, "/intake/contacts/new?first=1&risk=no&service=counselling")
	if strings.Contains(body, `name="name"`) || !strings.Contains(body, `value="counselling" checked`) {
		t.Errorf("back at the first step:\n%s", body)
	}
	_, body = handler.Get(t, "/intake/contacts/new?asked=1&risk=no&service=peer-support")
	if !strings.Contains(body, `name="job_role"`) || !strings.Contains(body, `name="address"`) ||
		strings.Contains(body, `name="organisation"`) || strings.Contains(body, `name="same_counsellor"`) || strings.Contains(body, `name="postcode"`) {
		t.Fatalf("peer-support form:\n%s", body)
	}
	// Sent with a problem, the short form comes back short, answers kept.
	form := apitest.PeerForm()
	form.Del("job_role")
	resp, body = apitest.PostWithCSRF(t, handler, "/intake/contacts/new", apitest.With(form, "risk", "no"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#job_role"`) || strings.Contains(body, `name="organisation"`) {
		t.Fatalf("short form again: %d\n%s", resp.StatusCode, body)
	}
	// At risk, every question stays, nothing needed.
	_, body = handler.Get(t, "/intake/contacts/new?asked=1&risk=yes&service=counselling")
	if !strings.Contains(body, `name="job_role"`) || !strings.Contains(body, `id="record-now"`) {
		t.Fatalf("at risk:\n%s", body)
	}
}
