package intake

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRoute_SameCounsellorWhenActive(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	first := addPractitioner(t, s, "Dr Busy", Counsellor, 1, true)
	o := mustOpen(t, s, counsellingCaller())
	if o.Routing.Practitioner.ID != first.ID {
		t.Fatalf("first contact went to %s", o.Routing.Practitioner.Name)
	}
	addPractitioner(t, s, "Dr Free", Counsellor, 10, true)

	n := counsellingCaller()
	n.PersonID, n.SameCounsellor = o.Person.ID, true
	again := mustOpen(t, s, n)
	if again.Routing.Practitioner.ID != first.ID || again.Routing.RequestedUnavailable {
		t.Fatalf("routed to %s (%s), want the same counsellor even with a full week", again.Routing.Practitioner.Name, again.Routing.Reason)
	}
	if !strings.Contains(again.Routing.Reason, "as the caller asked") {
		t.Errorf("reason %q does not say why", again.Routing.Reason)
	}
	_ = ctx
}

func TestRoute_SameCounsellorInactiveSaysSoAndOffersAnother(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	first := addPractitioner(t, s, "Dr Away", Counsellor, 10, true)
	o := mustOpen(t, s, counsellingCaller())
	other := addPractitioner(t, s, "Dr Here", Counsellor, 5, true)
	if err := s.SetPractitionerActive(ctx, first.ID, false); err != nil {
		t.Fatal(err)
	}
	n := counsellingCaller()
	n.PersonID, n.SameCounsellor = o.Person.ID, true
	again := mustOpen(t, s, n)
	r := again.Routing
	if r.Practitioner.ID != other.ID || !r.RequestedUnavailable || !strings.Contains(r.Reason, "Dr Away is not taking callers") {
		t.Fatalf("routing %+v, want Dr Here offered, saying Dr Away is unavailable", r)
	}
	if again.Person.LastCounsellorID != other.ID {
		t.Errorf("last counsellor %q, want the new one", again.Person.LastCounsellorID)
	}
}

func TestRoute_MostFreeCapacityThisWeek(t *testing.T) {
	s, c := newTestStore(t)
	ctx := context.Background()
	big := addPractitioner(t, s, "Dr Big", Counsellor, 3, true)
	small := addPractitioner(t, s, "Dr Small", Counsellor, 2, true)
	addPractitioner(t, s, "Dr Idle", Counsellor, 50, false)
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 90, true)

	// Free places: Big 3, Small 2 → Big; then 2 and 2, tie → Big by name;
	// then 1 and 2 → Small; then 1 and 1 → Big; then 0 and 1 → Small.
	want := []string{big.ID, big.ID, small.ID, big.ID, small.ID}
	for i, id := range want {
		n := counsellingCaller()
		n.NewPerson = true // five callers, one name
		o := mustOpen(t, s, n)
		if o.Routing.Practitioner.ID != id {
			t.Fatalf("contact %d went to %s (%s)", i+1, o.Routing.Practitioner.Name, o.Routing.Reason)
		}
		if !strings.Contains(o.Routing.Reason, "most free capacity") {
			t.Errorf("reason %q", o.Routing.Reason)
		}
	}
	// A new ISO week starts everyone's count again.
	c.Advance(7 * 24 * time.Hour)
	r, err := s.Route(ctx, Counselling, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Practitioner.ID != big.ID || !strings.Contains(r.Reason, "3 of 3 places free") {
		t.Fatalf("next week: %+v, want Dr Big with 3 of 3 free", r)
	}
}

func TestRoute_PeerSupportGoesToActivePeerSupporterWithMostFreeCapacity(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr Counsellor", Counsellor, 100, true)
	addPractitioner(t, s, "Dr Off", PeerSupporter, 100, false)
	a := addPractitioner(t, s, "Dr Bee", PeerSupporter, 4, true)
	addPractitioner(t, s, "Dr Cee", PeerSupporter, 4, true)
	o := mustOpen(t, s, peerCaller())
	if o.Routing.Practitioner.ID != a.ID || o.Routing.Practitioner.Phone != "+447700900999" {
		t.Fatalf("peer support routed to %+v, want Dr Bee (tie broken by name) with a number", o.Routing.Practitioner)
	}
	got, _ := s.Contact(ctx, o.Contact.ID)
	if got.PractitionerName != "Dr Bee" || got.Session != 0 {
		t.Errorf("contact %+v should note the peer supporter given", got)
	}
}

func TestRoute_NoActivePractitioner(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr Off", Counsellor, 10, false)
	if _, err := s.Route(context.Background(), Counselling, ""); !errors.Is(err, ErrNoPractitioner) {
		t.Fatalf("err %v, want ErrNoPractitioner", err)
	}
}

func TestPractitioners_CRUD(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	if _, err := s.AddPractitioner(ctx, PractitionerDetails{Name: "Dr P", Kind: PeerSupporter}); err == nil {
		t.Fatal("a peer supporter without a number was accepted")
	}
	p := addPractitioner(t, s, "Dr P", Counsellor, 5, true)
	up, err := s.UpdatePractitioner(ctx, p.ID, PractitionerDetails{Name: "Dr Q", Kind: Counsellor, WeeklyCapacity: 8})
	if err != nil || up.Name != "Dr Q" || up.WeeklyCapacity != 8 || up.Active {
		t.Fatalf("update: %+v %v", up, err)
	}
	list, err := s.Practitioners(ctx, Counsellor)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	if err := s.RemovePractitioner(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Practitioner(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after removal: %v", err)
	}
	if err := s.SetPractitionerActive(ctx, p.ID, true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("activating a removed practitioner: %v", err)
	}
}
