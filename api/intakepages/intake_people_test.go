package intakepages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

func TestFindPerson_ShowsOnlyMatchesAndAuditsEachCandidate(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, err := srv.Intake.Contact(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	apitest.OpenContact(t, handler, apitest.PeerForm()) // someone else

	resp, body := handler.Get(t, "/intake/people")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" || strings.Contains(body, "records match") {
		t.Fatalf("blank search: %d", resp.StatusCode)
	}
	q := url.Values{"name": {"  alex MORGAN "}, "dob": {"1985-04-02"}, "phone": {"+44 7700 900123"}}
	resp, body = handler.Get(t, "/intake/people?"+q.Encode())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "1 record matches") ||
		!strings.Contains(body, `href="/intake/contacts/new?person=`+c.PersonID+`"`) || strings.Contains(body, "Sam Patel") {
		t.Fatalf("search: %d\n%s", resp.StatusCode, body)
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "person_found", c.PersonID) {
		t.Error("a search result is not in the audit log")
	}

	// The same name and date of birth with another number is not a match, but
	// it is a likely one (a caller with a new number), shown apart.
	q.Set("phone", "07700 900000")
	_, body = handler.Get(t, "/intake/people?"+q.Encode())
	likely := strings.Index(body, `id="likely"`)
	if !strings.Contains(body, "0 records match") || likely < 0 || strings.Index(body, c.PersonID) < likely {
		t.Errorf("a search with another number:\n%s", body)
	}
	// Name, date of birth and a phone number or e-mail are needed.
	resp, body = handler.Get(t, "/intake/people?name=Alex+Morgan")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#dob"`) || !strings.Contains(body, `value="Alex Morgan"`) {
		t.Errorf("incomplete search: %d\n%s", resp.StatusCode, body)
	}
	resp, body = handler.Get(t, "/intake/people?name=Alex+Morgan&dob=1985-04-02")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#phone"`) {
		t.Errorf("search without phone or e-mail: %d\n%s", resp.StatusCode, body)
	}
}

func TestPersonHistory_ListsContactsAndEveryViewIsAuditedByRecordIDOnly(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, _ := srv.Intake.Contact(context.Background(), id)
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Referred to GP"}})
	second := apitest.OpenContact(t, handler, apitest.With(apitest.CounsellingForm(), "person_id", c.PersonID))

	before := len(apitest.AuditEntries(t, srv))
	resp, body := handler.Get(t, "/intake/people/"+c.PersonID)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("history: %d", resp.StatusCode)
	}
	for _, want := range []string{"Alex Morgan", "2 April 1985", "2 of 6", "Referred to GP", "(session 1)", "(session 2)",
		`href="/intake/contacts/` + id + `"`, `href="/intake/contacts/` + second + `"`, c.PersonID} {
		if !strings.Contains(body, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	entries := apitest.AuditEntries(t, srv)
	if len(entries) != before+1 || entries[0].Action != "person_viewed" || entries[0].Target != c.PersonID {
		t.Fatalf("audit after a view: %+v", entries[0])
	}
	// Opening a contact page or a returning caller's form is a view too.
	handler.Get(t, "/intake/contacts/"+id)
	handler.Get(t, "/intake/contacts/new?person="+c.PersonID)
	if n := len(apitest.AuditEntries(t, srv)); n != before+3 {
		t.Errorf("%d audit entries after three views, want %d", n, before+3)
	}
	for _, e := range apitest.AuditEntries(t, srv) {
		for _, personal := range []string{"Alex", "Morgan", "1985", "900123", "example.com", "LS1"} {
			if strings.Contains(e.Target+e.Reason, personal) {
				t.Errorf("audit entry %+v holds personal data", e)
			}
		}
	}
	resp, _ = handler.Get(t, "/intake/people/NOSUCHRECORD")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown person: %d", resp.StatusCode)
	}
}

// Merging two records of one person is an admin's action, audited on both
// records; a call handler cannot do it.
func TestMerge_IsAnAuditedAdminAction(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	a := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	b := apitest.OpenContact(t, handler, apitest.With(apitest.With(apitest.CounsellingForm(), "phone", "07700 900999"), "new_person", "yes"))
	ca, _ := srv.Intake.Contact(context.Background(), a)
	cb, _ := srv.Intake.Contact(context.Background(), b)
	if ca.PersonID == cb.PersonID {
		t.Fatal("new_person made no new record")
	}
	form := url.Values{"keep": {ca.PersonID}, "merge": {cb.PersonID}, "confirm": {"yes"}}
	if resp, _ := apitest.PostWithCSRF(t, handler, "/admin/people/merge", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("call handler merging: %d", resp.StatusCode)
	}
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	resp, body := apitest.PostWithCSRF(t, admin, "/admin/people/merge", apitest.With(form, "confirm", ""))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#confirm"`) {
		t.Fatalf("unconfirmed: %d", resp.StatusCode)
	}
	resp, body = apitest.PostWithCSRF(t, admin, "/admin/people/merge", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="merged"`) {
		t.Fatalf("merge: %d\n%s", resp.StatusCode, body)
	}
	entries := apitest.AuditEntries(t, srv)
	if !apitest.HasAudit(entries, "person_merged", ca.PersonID) || !apitest.HasAudit(entries, "person_merged_away", cb.PersonID) {
		t.Error("merge not audited on both records")
	}
	if p, _ := srv.Intake.Person(context.Background(), ca.PersonID); p.CounsellingSessions != 2 {
		t.Errorf("sessions after merge: %d", p.CounsellingSessions)
	}
}

// The search takes the date of birth as day, month and year boxes.
func TestFindPerson_DateOfBirthAsADateInput(t *testing.T) {
	_, handler := apitest.IntakeServer(t)
	apitest.OpenContact(t, handler, apitest.CounsellingForm())
	q := url.Values{"name": {"Alex Morgan"}, "dob-day": {"2"}, "dob-month": {"4"}, "dob-year": {"1985"}, "phone": {"07700 900123"}}
	if _, body := handler.Get(t, "/intake/people?"+q.Encode()); !strings.Contains(body, "1 record matches") {
		t.Errorf("search by boxes:\n%s", body)
	}
	q.Set("dob-day", "31")
	q.Set("dob-month", "2")
	if resp, body := handler.Get(t, "/intake/people?"+q.Encode()); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `href="#dob"`) || !strings.Contains(body, "real date") {
		t.Errorf("impossible date: %d", resp.StatusCode)
	}
}
