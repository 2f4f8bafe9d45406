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
// daily task calls it; it scans the collections, so it belongs off the request path.
func (s *Store) Purge(ctx context.Context) (Purged, error) {
	cutoff := s.now().Add(-s.Retention)
	var res Purged
	cur, err := s.coll(collPeople).Find(ctx, bson.D{{Key: "last_contact_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
		options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "date_of_birth", Value: 1}}))
	if err != nil {
		return res, fmt.Errorf("purge: %w", err)
	}
	var old []Person
	if err := cur.All(ctx, &old); err != nil {
		return res, fmt.Errorf("purge: %w", err)
	}
	for _, p := range old {
		n, err := s.erase(ctx, p)
		if err != nil {
			return res, fmt.Errorf("purge: %w", err)
		}
		res.People++
		res.Contacts += n
	}
	del, err := s.coll(collContacts).DeleteMany(ctx, bson.D{{Key: "opened_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}})
	if err != nil {
		return res, fmt.Errorf("purge contacts: %w", err)
	}
	if _, err := s.coll(collSafety).DeleteMany(ctx, bson.D{{Key: "raised_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}}); err != nil {
		return res, fmt.Errorf("purge safety concerns: %w", err)
	}
	res.Contacts += int(del.DeletedCount)
	return res, nil
}

// Erase deletes a person on request, with their contacts, their lookup key and
// any survey text waiting for them. Aggregate invitation counts remain: they
// say nothing about anyone.
func (s *Store) Erase(ctx context.Context, personID string) error {
	p, err := s.Person(ctx, personID)
	if err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	_, err = s.erase(ctx, p)
	return err
}

// erase deletes the outbox entries first, so no text goes out mid-erasure, and
// the person last.
func (s *Store) erase(ctx context.Context, p Person) (contacts int, err error) {
	byPerson := bson.D{{Key: "person_id", Value: p.ID}}
	if _, err := s.coll(collOutbox).DeleteMany(ctx, byPerson); err != nil {
		return 0, fmt.Errorf("erase outbox entries: %w", err)
	}
	if _, err := s.coll(collSafety).DeleteMany(ctx, byPerson); err != nil {
		return 0, fmt.Errorf("erase safety concerns: %w", err)
	}
	held, err := s.Contacts(ctx, p.ID)
	if err != nil {
		return 0, fmt.Errorf("erase: %w", err)
	}
	for _, c := range held {
		if c.Peer != nil {
			if err := s.setCaseload(ctx, c.PractitionerID, c.ID, false); err != nil {
				return 0, err
			}
		}
	}
	del, err := s.coll(collContacts).DeleteMany(ctx, byPerson)
	if err != nil {
		return 0, fmt.Errorf("erase contacts: %w", err)
	}
	if err := s.removeKey(ctx, lookupKey(p.Name, p.DateOfBirth), p.ID); err != nil {
		return 0, err
	}
	if err := s.setBirthday(ctx, p, false); err != nil {
		return 0, err
	}
	if _, err := s.coll(collPeople).DeleteOne(ctx, bson.D{{Key: "_id", Value: p.ID}}); err != nil {
		return 0, fmt.Errorf("erase person: %w", err)
	}
	return int(del.DeletedCount), nil
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
