package intakepages_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

var givenLink = regexp.MustCompile(`<strong class="link-text">([^<]+)</strong>`)

// A caller who agreed to feedback over live chat, with no mobile number, is
// given a one-off survey link by the call handler: once, shown once, never
// stored; the link opens the survey.
func TestSurveyLink_GivenOnceToACallerWithNoMobile(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	form := apitest.PeerForm()
	form.Set("phone", "0113 496 0000") // a landline: no text can go
	form.Set("email", "sam.patel@example.com")
	id := apitest.OpenContact(t, handler, form)
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Peer supporter's number given"}})
	apitest.WantRedirect(t, "close", resp, "/intake/contacts/"+id)
	_, body := handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, "no mobile number") || !strings.Contains(body, `action="/intake/contacts/`+id+`/survey-link"`) {
		t.Fatalf("closed contact page offers no survey link:\n%s", body)
	}
	resp, body = apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/survey-link", nil)
	m := givenLink.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(m[1], "/i/") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("survey link: %d\n%s", resp.StatusCode, body)
	}
	// It opens the survey of the contact's service.
	u, _ := url.Parse(m[1])
	if resp, body := srv.Get(t, u.Path); resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/s/peer-support?lang=en"`) {
		t.Fatalf("the link given: %d", resp.StatusCode)
	}
	// Not stored: the page shows it this once; a second one is refused.
	_, body = handler.Get(t, "/intake/contacts/"+id)
	if strings.Contains(body, m[1]) || !strings.Contains(body, "one-off survey link instead") || strings.Contains(body, "/survey-link\"") {
		t.Fatalf("the contact page after the link:\n%s", body)
	}
	if resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/survey-link", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second link: %d", resp.StatusCode)
	}
	// A caller who gets a text gets no link.
	texted := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+texted+"/close", url.Values{"outcome": {"Booked"}})
	if resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+texted+"/survey-link", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("a link for a texted caller: %d", resp.StatusCode)
	}
}
