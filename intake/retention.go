package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Purged counts what Purge deleted.
type Purged struct {
	People, Contacts int
}

// Purge deletes contacts opened, and people last in contact, longer ago than
// the retention period, with everything else held about those people. The
// daily task calls it. On the embedded store every delete scans its
// collection, so people are erased a batch at a time (one scan of each
// collection per batch, not per person), people last: a run cut short by its
// deadline leaves whole people behind, and the next run finishes them.
func (s *Store) Purge(ctx context.Context) (Purged, error) {
	return s.PurgeWithProgress(ctx, nil)
}

// purgeBatch is how many people one round of deletes erases (a variable so
// that a test can make rounds of a few).
var purgeBatch = 1000

// PurgeWithProgress is Purge, telling progress what is done after each batch.
func (s *Store) PurgeWithProgress(ctx context.Context, progress func(Purged)) (Purged, error) {
	cutoff := s.now().Add(-s.Retention)
	var res Purged
	previous := ""
	for {
		// Each round reads who is due afresh, so someone who calls again
		// while a long purge runs is not erased on an old list.
		batch, err := s.lastContactBefore(ctx, cutoff)
		if err != nil {
			return res, fmt.Errorf("purge: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		if batch[0].ID == previous {
			return res, errors.New("purge: people erased are due again; is the store refusing deletes?")
		}
		previous = batch[0].ID
		n, err := s.erase(ctx, batch...)
		if err != nil {
			return res, fmt.Errorf("purge: %w", err)
		}
		res.People += len(batch)
		res.Contacts += n
		if progress != nil {
			progress(res)
		}
		if len(batch) < purgeBatch {
			break
		}
	}
	del, err := s.coll(collContacts).DeleteMany(ctx, bson.D{{Key: "opened_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}})
	if err != nil {
		return res, fmt.Errorf("purge contacts: %w", err)
	}
	if _, err := s.coll(collSafety).DeleteMany(ctx, bson.D{{Key: "raised_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}}); err != nil {
		return res, fmt.Errorf("purge safety concerns: %w", err)
	}
	if _, err := s.coll(collIncomplete).DeleteMany(ctx, bson.D{{Key: "opened_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}}); err != nil {
		return res, fmt.Errorf("purge incomplete contacts: %w", err)
	}
	res.Contacts += int(del.DeletedCount)
	return res, nil
}

// lastContactBefore reads the name and date of birth (what erase needs) of
// up to purgeBatch people last in contact before cutoff.
func (s *Store) lastContactBefore(ctx context.Context, cutoff time.Time) ([]Person, error) {
	cur, err := s.coll(collPeople).Find(ctx, bson.D{{Key: "last_contact_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
		options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "date_of_birth", Value: 1}}).SetLimit(int64(purgeBatch)))
	if err != nil {
		return nil, err
	}
	var old []Person
	return old, cur.All(ctx, &old)
}

// Erase deletes a person on request, with their contacts, their lookup key and
// any survey text waiting for them. Aggregate invitation counts remain: they
// say nothing about anyone.
func (s *Store) Erase(ctx context.Context, personID string) error {
	ctx, cancel := scanDeadline(ctx)
	defer cancel()
	p, err := s.Person(ctx, personID)
	if err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	_, err = s.erase(ctx, p)
	return err
}

// erase deletes everything held about people, each collection in one call
// for them all: the outbox entries first, so no text goes out mid-erasure,
// and the people last.
func (s *Store) erase(ctx context.Context, people ...Person) (contacts int, err error) {
	ids, keys, dobs, entries := make(bson.A, 0, len(people)), bson.A{}, bson.A{}, bson.A{}
	for _, p := range people {
		ids = append(ids, p.ID)
		keys = append(keys, lookupKey(p.Name, p.DateOfBirth))
		dobs = append(dobs, p.DateOfBirth)
		entries = append(entries, birthdayEntry{PersonID: p.ID, Name: nameKey(p.Name)})
	}
	byPerson := bson.D{{Key: "person_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	if _, err := s.coll(collOutbox).DeleteMany(ctx, byPerson); err != nil {
		return 0, fmt.Errorf("erase outbox entries: %w", err)
	}
	if _, err := s.coll(collSafety).DeleteMany(ctx, byPerson); err != nil {
		return 0, fmt.Errorf("erase safety concerns: %w", err)
	}
	if _, err := s.coll(collIncomplete).DeleteMany(ctx, byPerson); err != nil {
		return 0, fmt.Errorf("erase incomplete contacts: %w", err)
	}
	if err := s.leaveCaseloads(ctx, byPerson); err != nil {
		return 0, fmt.Errorf("erase: %w", err)
	}
	del, err := s.coll(collContacts).DeleteMany(ctx, byPerson)
	if err != nil {
		return 0, fmt.Errorf("erase contacts: %w", err)
	}
	if err := s.unindex(ctx, ids, keys, dobs, entries); err != nil {
		return 0, err
	}
	if _, err := s.coll(collPeople).DeleteMany(ctx, idIn(ids)); err != nil {
		return 0, fmt.Errorf("erase people: %w", err)
	}
	return int(del.DeletedCount), nil
}

// leaveCaseloads takes the peer-support contacts matching byPerson off their
// peer supporters' caseloads.
func (s *Store) leaveCaseloads(ctx context.Context, byPerson bson.D) error {
	filter := append(bson.D{{Key: "peer", Value: bson.D{{Key: "$exists", Value: true}}}}, byPerson...)
	cur, err := s.coll(collContacts).Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "practitioner_id", Value: 1}}))
	if err != nil {
		return err
	}
	var peer []Contact
	if err := cur.All(ctx, &peer); err != nil {
		return err
	}
	for _, c := range peer {
		if err := s.setCaseload(ctx, c.PractitionerID, c.ID, false); err != nil {
			return err
		}
	}
	return nil
}

// unindex takes people from their lookup keys and birthday lists, removing a
// key left empty (it would still hold a name and date of birth). $pullAll
// removes exact values: the embedded store ignores a condition in $pull.
func (s *Store) unindex(ctx context.Context, ids, keys, dobs, entries bson.A) error {
	_, err := s.coll(collPersonKeys).UpdateMany(ctx, idIn(keys),
		bson.D{{Key: "$pullAll", Value: bson.D{{Key: "person_ids", Value: ids}}}})
	if err != nil {
		return fmt.Errorf("unindex people: %w", err)
	}
	_, err = s.coll(collPersonKeys).DeleteMany(ctx, append(idIn(keys), bson.E{Key: "person_ids", Value: bson.D{{Key: "$size", Value: 0}}}))
	if err != nil {
		return fmt.Errorf("unindex people: %w", err)
	}
	_, err = s.coll(collBirthdays).UpdateMany(ctx, idIn(dobs),
		bson.D{{Key: "$pullAll", Value: bson.D{{Key: "people", Value: entries}}}})
	if err != nil {
		return fmt.Errorf("birthday lists: %w", err)
	}
	return nil
}

// SubjectAccess is everything held about one person.
type SubjectAccess struct {
	ExportedAt time.Time     `json:"exported_at"`
	Person     Person        `json:"person"`
	Contacts   []Contact     `json:"contacts"`
	Outbox     []OutboxEntry `json:"survey_texts_queued"`
	// SafetyConcerns are patient-safety concerns raised in peer support, with every step.
	SafetyConcerns []SafetyConcern `json:"patient_safety_concerns"`
}

// Export gathers everything held about a person, for a subject access request.
func (s *Store) Export(ctx context.Context, personID string) (SubjectAccess, error) {
	ctx, cancel := scanDeadline(ctx)
	defer cancel()
	p, err := s.Person(ctx, personID)
	if err != nil {
		return SubjectAccess{}, fmt.Errorf("export: %w", err)
	}
	contacts, err := s.Contacts(ctx, personID)
	if err != nil {
		return SubjectAccess{}, fmt.Errorf("export: %w", err)
	}
	cur, err := s.coll(collOutbox).Find(ctx, bson.D{{Key: "person_id", Value: personID}})
	if err != nil {
		return SubjectAccess{}, fmt.Errorf("export: %w", err)
	}
	outbox := []OutboxEntry{}
	if err := cur.All(ctx, &outbox); err != nil {
		return SubjectAccess{}, fmt.Errorf("export: %w", err)
	}
	if contacts == nil {
		contacts = []Contact{}
	}
	concerns := []SafetyConcern{}
	for _, c := range contacts {
		if c.Peer == nil {
			continue // concerns arise in peer support only
		}
		sc, err := s.SafetyConcern(ctx, c.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return SubjectAccess{}, fmt.Errorf("export: %w", err)
		}
		concerns = append(concerns, sc)
	}
	return SubjectAccess{ExportedAt: s.now(), Person: p, Contacts: contacts, Outbox: outbox, SafetyConcerns: concerns}, nil
}

// ExportJSON is Export as indented JSON, ready to hand over.
func (s *Store) ExportJSON(ctx context.Context, personID string) ([]byte, error) {
	sa, err := s.Export(ctx, personID)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(sa, "", "  ")
}

// scanDeadline gives ctx a deadline of ten minutes when it has none. Without
// one the driver cuts each call off at the client's 30 s, and on the embedded
// store an erasure or export scans contacts and the outbox once or twice: at
// 100,000 people on a busy machine one such scan can take longer than that.
func scanDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, 10*time.Minute)
}

// idIn matches the documents whose _id is one of ids: by equality when there
// is one, which the embedded store checks inside SQLite, far faster than the
// decoding of every document that $in costs (an erasure of one person).
func idIn(ids bson.A) bson.D {
	if len(ids) == 1 {
		return bson.D{{Key: "_id", Value: ids[0]}}
	}
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
}
