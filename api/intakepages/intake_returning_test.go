package intakepages_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

func TestNewContact_AReturningCallersMisspeltNameIsShownBesideTheRecordAndKept(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	first := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, _ := srv.Intake.Contact(context.Background(), first)
	person := c.PersonID

	if _, body := handler.Get(t, "/intake/contacts/new?risk=no&person="+person); !strings.Contains(body, `name="phone" value="07700 900123"`) {
		t.Errorf("the returning caller's phone is not shown as typed:\n%s", body)
	}
	again := apitest.With(apitest.CounsellingForm(), "person_id", person)
	again.Set("name", "Alex Morgen")
	again.Set("phone", "07700 900777")
	resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/new", again)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("differing details: %d, want 409\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`id="differences"`, "Some details differ from the caller",
		`name="keep_name" value="stored"`, `name="keep_name" value="new"`, "Alex Morgan</label>", "Alex Morgen</label>",
		`name="keep_phone" value="stored"`, "07700 900123</label>", "07700 900777</label>"} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if p, _ := srv.Intake.Person(context.Background(), person); p.Name != "Alex Morgan" || p.Phone != "+447700900123" {
		t.Fatalf("record changed before the handler chose: %+v", p)
	}

	again.Set("keep_name", "stored")
	again.Set("keep_phone", "new")
	id := apitest.OpenContact(t, handler, again)
	p, _ := srv.Intake.Person(context.Background(), person)
	if p.Name != "Alex Morgan" || p.Phone != "+447700900777" {
		t.Fatalf("record %+v, want the stored name and the new phone", p)
	}
	_, body = handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, "Contact with Alex Morgan") || !strings.Contains(body, "Phone number changed on the record</th><td>Was 07700 900123, now 07700 900777") {
		t.Errorf("contact page does not show the change:\n%s", body)
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "person_details_changed", person) {
		t.Error("the change to the record is not audited")
	}
}
