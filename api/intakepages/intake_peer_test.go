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

// linkedPeer signs in a peer account linked to the practitioner the peer
// contact was routed to.
func linkedPeer(t *testing.T, srv *apitest.Server, contactID string) *apitest.Browser {
	t.Helper()
	ctx := context.Background()
	c, err := srv.Intake.Contact(ctx, contactID)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := srv.Intake.Practitioner(ctx, c.PractitionerID)
	if err != nil {
		t.Fatal(err)
	}
	b, email := srv.Staff(t, accounts.RolePeer)
	if _, err := srv.Intake.UpdatePractitioner(ctx, pr.ID, intake.PractitionerDetails{Name: pr.Name, Kind: pr.Kind, Phone: pr.Phone,
		Active: pr.Active, WeeklyCapacity: pr.WeeklyCapacity, AccountEmail: email}); err != nil {
		t.Fatal(err)
	}
	return b
}

// A peer account sees its own callers only, records their conversations, and
// the first conversation releases the survey text; another supporter's
// caller is "not found" to it.
func TestPeerAccount_SeesOnlyItsOwnCallersAndRecordsConversations(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	mine := apitest.OpenContact(t, handler, apitest.PeerForm())
	apitest.PostWithCSRF(t, handler, "/intake/contacts/"+mine+"/close", url.Values{"outcome": {"Details of Dr Pat Peer given"}})
	peer := linkedPeer(t, srv, mine)
	apitest.AddPractitioner(t, srv, "Dr Other Peer", intake.PeerSupporter, "07700 900888")
	other := apitest.OpenContact(t, handler, apitest.With(apitest.With(apitest.PeerForm(), "name", "Someone Else"), "phone", "07700 900111"))
	if c, _ := srv.Intake.Contact(context.Background(), other); c.PractitionerName != "Dr Other Peer" {
		t.Fatalf("second caller routed to %s, want the other supporter", c.PractitionerName)
	}

	_, body := peer.Get(t, "/peer")
	if !strings.Contains(body, "Sam Patel") || strings.Contains(body, "Someone Else") {
		t.Errorf("peer home:\n%s", body)
	}
	if resp, _ := peer.Get(t, "/peer/contacts/"+other); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another supporter's caller: %d, want 404", resp.StatusCode)
	}
	if resp, _ := apitest.PostWithCSRF(t, peer, "/peer/contacts/"+other+"/peer", url.Values{"action": {"end"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("ending another supporter's caller: %d, want 404", resp.StatusCode)
	}
	resp, body := peer.Get(t, "/peer/contacts/"+mine)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "/close") || !strings.Contains(body, `id="peer-record"`) {
		t.Fatalf("own caller: %d\n%s", resp.StatusCode, body)
	}

	// A bad date is marked; a good one is recorded.
	resp, body = apitest.PostWithCSRF(t, peer, "/peer/contacts/"+mine+"/peer", url.Values{"action": {"conversation"}, "on-day": {"31"}, "on-month": {"2"}, "on-year": {"2026"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#on"`) || !strings.Contains(body, `value="31"`) {
		t.Fatalf("bad date: %d\n%s", resp.StatusCode, body)
	}
	today := srv.Intake.Now().In(srv.Intake.Location)
	day := url.Values{"action": {"conversation"}, "on-day": {today.Format("2")}, "on-month": {today.Format("1")}, "on-year": {today.Format("2006")}}
	resp, _ = apitest.PostWithCSRF(t, peer, "/peer/contacts/"+mine+"/peer", day)
	apitest.WantRedirect(t, "conversation", resp, "/peer/contacts/"+mine+"#peer")
	c, _ := srv.Intake.Contact(context.Background(), mine)
	if c.Peer == nil || len(c.Peer.Conversations) != 1 || c.Peer.ContactState() != "yes" {
		t.Errorf("relationship %+v", c.Peer)
	}
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "peer_support_recorded", mine) {
		t.Error("conversation not audited")
	}
	sender := &apitest.TextSender{}
	outbox, err := intake.NewOutbox(srv.Intake, sender, nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(context.Background()); err != nil || res.Sent != 1 {
		t.Errorf("after the first conversation: %+v %v", res, err)
	}
}

// A patient-safety concern goes from raised to the GMC, each step audited;
// the call handler sees none of it, an admin does, and the export holds it.
func TestSafetyConcern_PeerRaisesItThroughToTheGMCRestrictedAndExported(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.PeerForm())
	peer := linkedPeer(t, srv, id)
	today := srv.Intake.Now().In(srv.Intake.Location)
	on := func(v url.Values) url.Values {
		return apitest.With(apitest.With(apitest.With(v, "safety_on-day", today.Format("2")), "safety_on-month", today.Format("1")), "safety_on-year", today.Format("2006"))
	}
	resp, body := apitest.PostWithCSRF(t, peer, "/peer/contacts/"+id+"/safety", url.Values{"action": {"raise"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#concern"`) || !strings.Contains(body, `href="#safety_on"`) {
		t.Fatalf("empty concern: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = apitest.PostWithCSRF(t, peer, "/peer/contacts/"+id+"/safety", on(url.Values{"action": {"raise"}, "concern": {"Operating while unwell"}}))
	apitest.WantRedirect(t, "raise", resp, "/peer/contacts/"+id+"#safety")
	for _, step := range []url.Values{{"kind": {"encouraged"}}, {"kind": {"advice"}, "from": {"Medical director"}},
		{"kind": {"gmc"}, "gmc_contacted": {"yes"}, "reason": {"Still operating after advice"}}} {
		resp, body := apitest.PostWithCSRF(t, peer, "/peer/contacts/"+id+"/safety", on(apitest.With(step, "action", "step")))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("step %v: %d\n%s", step, resp.StatusCode, body)
		}
	}
	_, body = peer.Get(t, "/peer/contacts/"+id)
	for _, want := range []string{"Operating while unwell", "from Medical director", "GMC contacted", "Still operating after advice"} {
		if !strings.Contains(body, want) {
			t.Errorf("peer page lacks %q", want)
		}
	}
	// The call handler sees nothing of it, and cannot open the admin pages.
	_, body = handler.Get(t, "/intake/contacts/"+id)
	if strings.Contains(body, "Operating while unwell") || strings.Contains(body, "Patient-safety") {
		t.Error("the call handler's contact page shows the concern")
	}
	if resp, _ := handler.Get(t, "/admin/safety-concerns/"+id); resp.StatusCode != http.StatusForbidden {
		t.Errorf("call handler on the admin page: %d", resp.StatusCode)
	}
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	_, body = admin.Get(t, "/admin/safety-concerns")
	if !strings.Contains(body, "/admin/safety-concerns/"+id) {
		t.Errorf("admin list:\n%s", body)
	}
	_, body = admin.Get(t, "/admin/safety-concerns/"+id)
	if !strings.Contains(body, "Still operating after advice") {
		t.Errorf("admin page:\n%s", body)
	}
	entries := apitest.AuditEntries(t, srv)
	steps := 0
	for _, e := range entries {
		if e.Action == "safety_step_recorded" && e.Target == id {
			steps++
		}
	}
	if steps != 3 || !apitest.HasAudit(entries, "safety_concern_raised", id) || !apitest.HasAudit(entries, "safety_concern_viewed", id) {
		t.Errorf("audit: %d steps", steps)
	}
	c, _ := srv.Intake.Contact(context.Background(), id)
	_, body = admin.Get(t, "/admin/people/"+c.PersonID+"/export")
	if !strings.Contains(body, "patient_safety_concerns") || !strings.Contains(body, "Still operating after advice") {
		t.Errorf("export:\n%s", body)
	}
}

// Without a peer account, the call handler records the relationship from the
// contact's page: contact made, a conversation, the end.
func TestPeerSupport_CallHandlerRecordsTheRelationship(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	id := apitest.OpenContact(t, handler, apitest.PeerForm())
	_, body := handler.Get(t, "/intake/contacts/"+id)
	if !strings.Contains(body, `action="/intake/contacts/`+id+`/peer"`) || strings.Contains(body, "Patient-safety") {
		t.Fatalf("contact page:\n%s", body)
	}
	today := srv.Intake.Now().In(srv.Intake.Location)
	for _, form := range []url.Values{
		{"action": {"contact-made"}, "made-day": {today.Format("2")}, "made-month": {today.Format("1")}, "made-year": {today.Format("2006")}},
		{"action": {"conversation"}, "on-day": {today.Format("2")}, "on-month": {today.Format("1")}, "on-year": {today.Format("2006")}},
		{"action": {"end"}},
	} {
		resp, body := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/peer", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", form.Get("action"), resp.StatusCode, body)
		}
	}
	c, _ := srv.Intake.Contact(context.Background(), id)
	if c.Peer.ContactState() != "yes" || len(c.Peer.Conversations) != 1 || c.Peer.EndedAt == nil {
		t.Errorf("relationship %+v", c.Peer)
	}
	resp, _ := apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/peer", url.Values{"action": {"end"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("ending twice: %d", resp.StatusCode)
	}
}
