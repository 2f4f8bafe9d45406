package intake

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// DemoOptions says how many synthetic people Demo records.
type DemoOptions struct {
	People int
	Seed   uint64
	// Progress, when set, is told after each batch how many people are stored.
	Progress func(people int)
}

// DemoReport counts what Demo stored.
type DemoReport struct {
	People, Contacts, Texts, Practitioners int
}

// demoPractitioners are the practitioners a demo store routes to: the demo
// contacts name the counsellor, and a fresh install is usable on its first call.
var demoPractitioners = []Practitioner{
	{ID: "demo-counsellor", Name: "Demo Counsellor", Kind: Counsellor, Active: true, WeeklyCapacity: 20},
	{ID: "demo-peer-supporter", Name: "Demo Peer Supporter", Kind: PeerSupporter, Phone: "+447700900999", Active: true, WeeklyCapacity: 10},
}

// addDemoPractitioners adds the demo practitioners to a store that has none.
func (s *Store) addDemoPractitioners(ctx context.Context) (int, error) {
	held, err := s.Practitioners(ctx, "")
	if err != nil || len(held) > 0 {
		return 0, err
	}
	for _, p := range demoPractitioners {
		if _, err := s.coll(collPractitioners).InsertOne(ctx, p); err != nil {
			return 0, fmt.Errorf("demo practitioners: %w", err)
		}
	}
	return len(demoPractitioners), nil
}

// demoBatch is how many people one insertMany carries: opening 100,000
// contacts one by one scans people for each match check, which would take hours.
const demoBatch = 1000

// Demo fills an empty intake store with synthetic people, each with one to
// three contacts over the last 22 years (so some are past a 20-year
// retention) and a sent survey text for each contact that agreed, and, when it
// has none, an active counsellor and peer supporter to route new callers to. Each form
// goes through the intake form's own checks (NewContact.check) and contact
// record, and each person gets the lookup key and birthday entry OpenContact
// gives; only the one-by-one writes and routing are replaced by batches. It is
// for measuring backups, purges and subject access at scale, never a real store.
func (s *Store) Demo(ctx context.Context, o DemoOptions) (DemoReport, error) {
	r := rand.New(rand.NewPCG(o.Seed, 23))
	now := s.now()
	birthdays := map[string][]birthdayEntry{}
	var rep DemoReport
	var err error
	if rep.Practitioners, err = s.addDemoPractitioners(ctx); err != nil {
		return rep, err
	}
	for lo := 0; lo < o.People; lo += demoBatch {
		b := demoDocs{}
		for i := lo; i < min(lo+demoBatch, o.People); i++ {
			p, err := b.add(r, i, now)
			if err != nil {
				return rep, fmt.Errorf("demo person %d: %w", i, err)
			}
			birthdays[p.DateOfBirth] = append(birthdays[p.DateOfBirth], birthdayEntry{PersonID: p.ID, Name: nameKey(p.Name)})
		}
		if err := s.insertDemo(ctx, b); err != nil {
			return rep, err
		}
		rep.People, rep.Contacts, rep.Texts = rep.People+len(b.people), rep.Contacts+len(b.contacts), rep.Texts+len(b.texts)
		if o.Progress != nil {
			o.Progress(rep.People)
		}
	}
	var docs []any
	for dob, people := range birthdays {
		docs = append(docs, birthday{ID: dob, People: people})
	}
	return rep, s.insertMany(ctx, collBirthdays, docs)
}

// demoDocs is one batch of documents to insert.
type demoDocs struct {
	people, keys, contacts, texts []any
}

// add makes person i from a counselling form, with its contacts and texts.
func (b *demoDocs) add(r *rand.Rand, i int, now time.Time) (Person, error) {
	last := now.Add(-time.Duration(r.Int64N(int64(22 * 365 * 24 * time.Hour)))).Truncate(time.Millisecond)
	n := NewContact{Service: Counselling, Channel: Phone, Role: Doctor, FeedbackAgreed: r.IntN(3) > 0,
		Name:        fmt.Sprintf("Demo Person %06d", i),
		DateOfBirth: time.Date(1950+r.IntN(50), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		Phone:       fmt.Sprintf("07700 9%05d", i%100_000), Email: fmt.Sprintf("demo%d@example.org", i),
		Postcode: "LS1 4AP", Organisation: "Demo Hospital Trust"}
	p, _, err := n.check(now.UTC().Format(time.DateOnly))
	if err != nil {
		return p, err
	}
	contacts := 1 + r.IntN(3)
	p.ID, p.CreatedAt, p.LastContactAt = newID(), last.Add(-time.Duration(contacts-1)*30*24*time.Hour), last
	p.CounsellingSessions = contacts
	b.people = append(b.people, p)
	b.keys = append(b.keys, personKey{ID: lookupKey(p.Name, p.DateOfBirth), PersonIDs: []string{p.ID}})
	for k := range contacts {
		opened := p.CreatedAt.Add(time.Duration(k) * 30 * 24 * time.Hour)
		c := n.contact(p.ID, opened)
		c.PractitionerID, c.PractitionerName, c.RoutingReason, c.Session = "demo-counsellor", "Demo Counsellor", "demo", k+1
		c.ClosedAt, c.Outcome = &opened, "demo"
		b.contacts = append(b.contacts, c)
		if c.FeedbackAgreed {
			b.texts = append(b.texts, OutboxEntry{ContactID: c.ID, PersonID: p.ID, Service: c.Service, Phone: p.Phone,
				Status: statusSent, Attempts: 1, NextAttemptAt: opened, CreatedAt: opened, UpdatedAt: opened, FinishedAt: &opened})
		}
	}
	return p, nil
}

func (s *Store) insertDemo(ctx context.Context, b demoDocs) error {
	for _, part := range []struct {
		coll string
		docs []any
	}{{collContacts, b.contacts}, {collOutbox, b.texts}, {collPersonKeys, b.keys}, {collPeople, b.people}} {
		if err := s.insertMany(ctx, part.coll, part.docs); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertMany(ctx context.Context, coll string, docs []any) error {
	for lo := 0; lo < len(docs); lo += demoBatch {
		if _, err := s.coll(coll).InsertMany(ctx, docs[lo:min(lo+demoBatch, len(docs))]); err != nil {
			return fmt.Errorf("demo %s: %w", coll, err)
		}
	}
	return nil
}
