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

func TestAdminPractitioners_AddEditDeactivateAndActivate(t *testing.T) {
	srv := apitest.New(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)

	// A peer supporter needs a contact number, and capacity must be a number.
	resp, body := apitest.PostWithCSRF(t, admin, "/admin/practitioners", url.Values{"name": {"Dr Jo Peer"}, "kind": {"peer-supporter"}, "weekly_capacity": {"lots"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#weekly_capacity"`) || !strings.Contains(body, `value="Dr Jo Peer"`) {
		t.Fatalf("bad capacity: %d\n%s", resp.StatusCode, body)
	}
	resp, body = apitest.PostWithCSRF(t, admin, "/admin/practitioners", url.Values{"name": {"Dr Jo Peer"}, "kind": {"peer-supporter"}, "weekly_capacity": {"4"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#phone"`) {
		t.Fatalf("peer supporter without number: %d\n%s", resp.StatusCode, body)
	}
	if ps, _ := srv.Intake.Practitioners(context.Background(), ""); len(ps) != 0 {
		t.Fatalf("a refused form added %d practitioners", len(ps))
	}
	resp, body = apitest.PostWithCSRF(t, admin, "/admin/practitioners", url.Values{"name": {"Dr Jo Peer"}, "kind": {"peer-supporter"},
		"phone": {"07700 900111"}, "weekly_capacity": {"4"}, "active": {"yes"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Dr Jo Peer added.") || !strings.Contains(body, "07700 900111") {
		t.Fatalf("add: %d\n%s", resp.StatusCode, body)
	}
	ps, _ := srv.Intake.Practitioners(context.Background(), "")
	if len(ps) != 1 || !ps[0].Active || ps[0].WeeklyCapacity != 4 || ps[0].Kind != intake.PeerSupporter {
		t.Fatalf("stored %+v", ps)
	}
	id := ps[0].ID

	_, body = admin.Get(t, "/admin/practitioners/"+id)
	if !strings.Contains(body, `value="Dr Jo Peer"`) || !strings.Contains(body, `value="4"`) || !strings.Contains(body, `name="active" value="yes" checked`) ||
		!strings.Contains(body, `value="07700 900111"`) {
		t.Fatalf("edit form:\n%s", body)
	}
	resp, _ = apitest.PostWithCSRF(t, admin, "/admin/practitioners/"+id, url.Values{"name": {"Dr Jo Peer-Smith"}, "kind": {"peer-supporter"},
		"phone": {"07700 900111"}, "weekly_capacity": {"6"}})
	apitest.WantRedirect(t, "edit", resp, "/admin/practitioners")
	p, _ := srv.Intake.Practitioner(context.Background(), id)
	if p.Name != "Dr Jo Peer-Smith" || p.WeeklyCapacity != 6 || p.Active {
		t.Fatalf("after edit %+v", p)
	}
	resp, _ = apitest.PostWithCSRF(t, admin, "/admin/practitioners/"+id+"/activate", nil)
	apitest.WantRedirect(t, "activate", resp, "/admin/practitioners")
	if p, _ := srv.Intake.Practitioner(context.Background(), id); !p.Active {
		t.Fatal("not activated")
	}
	resp, _ = apitest.PostWithCSRF(t, admin, "/admin/practitioners/"+id+"/deactivate", nil)
	apitest.WantRedirect(t, "deactivate", resp, "/admin/practitioners")
	if p, _ := srv.Intake.Practitioner(context.Background(), id); p.Active {
		t.Fatal("not deactivated")
	}
	entries := apitest.AuditEntries(t, srv)
	for _, action := range []string{"practitioner_added", "practitioner_changed", "practitioner_activated", "practitioner_deactivated"} {
		if !apitest.HasAudit(entries, action, id) {
			t.Errorf("%s not audited", action)
		}
	}
	resp, _ = admin.Get(t, "/admin/practitioners/NOSUCH")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown practitioner: %d", resp.StatusCode)
	}
}

func TestAdminPeople_ExportThenEraseWithConfirmationBothAudited(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	contact := apitest.OpenContact(t, handler, apitest.CounsellingForm())
	c, _ := srv.Intake.Contact(context.Background(), contact)
	person := c.PersonID

	_, body := admin.Get(t, "/admin/people?id="+person)
	if !strings.Contains(body, `href="/admin/people/`+person+`/export"`) || strings.Contains(body, "Alex") {
		t.Fatalf("record page shows personal data or no export:\n%s", body)
	}
	resp, body := admin.Get(t, "/admin/people/"+person+"/export")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{`"name": "Alex Morgan"`, `"id": "` + contact + `"`, `"contacts"`} {
		if !strings.Contains(body, want) {
			t.Errorf("export lacks %s", want)
		}
	}

	resp, body = admin.Get(t, "/admin/people/"+person+"/erase")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="confirm"`) || strings.Contains(body, "Alex") {
		t.Fatalf("erase form: %d\n%s", resp.StatusCode, body)
	}
	resp, body = apitest.PostWithCSRF(t, admin, "/admin/people/"+person+"/erase", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#confirm"`) {
		t.Fatalf("erase without confirmation: %d", resp.StatusCode)
	}
	if _, err := srv.Intake.Person(context.Background(), person); err != nil {
		t.Fatal("erased without confirmation")
	}
	resp, body = apitest.PostWithCSRF(t, admin, "/admin/people/"+person+"/erase", url.Values{"confirm": {"yes"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "has been erased") {
		t.Fatalf("erase: %d\n%s", resp.StatusCode, body)
	}
	if _, err := srv.Intake.Person(context.Background(), person); err == nil {
		t.Fatal("person still held")
	}
	if _, err := srv.Intake.Contact(context.Background(), contact); err == nil {
		t.Fatal("contact still held")
	}
	entries := apitest.AuditEntries(t, srv)
	if !apitest.HasAudit(entries, "person_exported", person) || !apitest.HasAudit(entries, "person_erased", person) {
		t.Error("export or erasure not audited")
	}
	resp, _ = handler.Get(t, "/intake/people/"+person)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("erased person's history: %d", resp.StatusCode)
	}
}
