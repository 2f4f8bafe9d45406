package intake

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/field"
)

const videoCounselling ServiceType = "video-counselling"

// withVideoCounselling configures a service added to the built-ins, based on
// counselling, as cmd/feedback does from the survey catalogue.
func withVideoCounselling(t *testing.T, o *Outbox) {
	t.Helper()
	list := append(BuiltInServices, Service{Type: videoCounselling, Title: "Video counselling", Kind: Counselling})
	if err := o.UseServices(list); err != nil {
		t.Fatal(err)
	}
}

func TestServices_ANewServiceRoutesLikeTheOneItIsBasedOnAndSharesTheSessionLimit(t *testing.T) {
	s, c := newTestStore(t)
	o := newTestOutbox(t, s, &recordingSender{}, nil)
	withVideoCounselling(t, o)
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 100, true) // must not be chosen
	dr := addPractitioner(t, s, "Dr A", Counsellor, 100, true)

	n := counsellingCaller()
	for i := 1; i <= MaxCounsellingSessions; i++ {
		n.Service = []ServiceType{Counselling, videoCounselling}[i%2] // sessions of either count together
		got := mustOpen(t, s, n)
		if got.Contact.Session != i || got.Routing.Practitioner.ID != dr.ID || got.Contact.Service != n.Service || got.Contact.Peer != nil {
			t.Fatalf("contact %d: %+v, want session %d with the counsellor", i, got.Contact, i)
		}
		n.PersonID = got.Person.ID
		c.Advance(7 * 24 * time.Hour)
	}
	n.Service = videoCounselling
	var r *Refusal
	if _, err := s.OpenContact(context.Background(), n); !errors.As(err, &r) || r.Rule != RuleSessionLimit {
		t.Fatalf("seventh session by video: %v, want the session limit", err)
	}
}

func TestServices_ANewServiceAsksTheDetailsOfItsKind(t *testing.T) {
	s, _ := newTestStore(t)
	o := newTestOutbox(t, s, &recordingSender{}, nil)
	withVideoCounselling(t, o)
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	n.Service, n.Organisation = videoCounselling, ""
	var fe field.Errors
	if _, err := s.OpenContact(context.Background(), n); !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "organisation" {
		t.Fatalf("video counselling without organisation: %v, want the organisation marked", err)
	}
}

func TestServices_AServiceNotConfiguredIsRefused(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	n.Service = videoCounselling // not configured on this store
	var fe field.Errors
	if _, err := s.OpenContact(context.Background(), n); !errors.As(err, &fe) || fe[0].Field != "service" {
		t.Fatalf("unconfigured service: %v, want the service field marked", err)
	}
}

func TestServices_TheSurveyTextLinksTheNewServicesSurvey(t *testing.T) {
	s, _ := newTestStore(t)
	sender := &recordingSender{}
	o := newTestOutbox(t, s, sender, nil)
	withVideoCounselling(t, o)
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	n := counsellingCaller()
	n.Service = videoCounselling
	openAndClose(t, s, n)
	if res := process(t, o); res.Sent != 1 || !strings.HasSuffix(sender.sent[0].text, testBaseURL+"/s/video-counselling") {
		t.Fatalf("sent %+v, want the text linking /s/video-counselling", sender.sent)
	}
}

func TestServices_SetRefusesWhatIntakeCannotServe(t *testing.T) {
	s, _ := newTestStore(t)
	// A long base URL, on which the built-ins' texts just fit one segment.
	o, err := NewOutbox(s, &recordingSender{}, nil, "https://"+strings.Repeat("a", 45)+".uk")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]Service{
		"kind not built in": append(BuiltInServices, Service{Type: "video", Title: "Video", Kind: "video"}),
		"built-in missing":  {BuiltInServices[0]},
		"built-in renamed":  {BuiltInServices[0], {Type: PeerSupport, Title: "Peer support", Kind: Counselling}},
		"bad name":          append(BuiltInServices, Service{Type: "Video!", Title: "Video", Kind: Counselling}),
		// A valid name, but its link makes the text two segments on this base URL.
		"text too long": append(BuiltInServices, Service{Type: ServiceType(strings.Repeat("v", 32)), Title: "V", Kind: Counselling}),
	}
	for name, list := range tests {
		if err := o.UseServices(list); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got := s.Services.All(); len(got) != 2 {
		t.Errorf("services after refusals: %v, want the built-ins still", got)
	}
}
