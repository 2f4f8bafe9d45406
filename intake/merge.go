package intake

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ErrSamePerson is returned when asked to merge a record with itself.
var ErrSamePerson = errors.New("the two references name the same record")

// Merge folds the record gone into keep, for two records that are one person:
// gone's contacts, queued texts, patient-safety concerns and family links move
// to keep; the session counts add up; the counsellor and times are the latest;
// details keep lacks are taken from gone; then gone is deleted. It is an
// admin's action (audited by the caller), and its moves scan the contacts, so
// it never runs on a call handler's request.
func (s *Store) Merge(ctx context.Context, keepID, goneID string) (Person, error) {
	if keepID == goneID {
		return Person{}, ErrSamePerson
	}
	keep, err := s.Person(ctx, keepID)
	if err != nil {
		return Person{}, fmt.Errorf("merge: keep %w", err)
	}
	gone, err := s.Person(ctx, goneID)
	if err != nil {
		return Person{}, fmt.Errorf("merge: merge %w", err)
	}
	move := bson.D{{Key: "$set", Value: bson.D{{Key: "person_id", Value: keepID}}}}
	for _, coll := range []string{collContacts, collOutbox, collSafety} {
		if _, err := s.coll(coll).UpdateMany(ctx, bson.D{{Key: "person_id", Value: goneID}}, move); err != nil {
			return Person{}, fmt.Errorf("merge %s: %w", coll, err)
		}
	}
	if _, err := s.coll(collPeople).UpdateMany(ctx, bson.D{{Key: "member_id", Value: goneID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "member_id", Value: keepID}}}}); err != nil {
		return Person{}, fmt.Errorf("merge family links: %w", err)
	}
	if _, err := s.coll(collPeople).UpdateOne(ctx, bson.D{{Key: "_id", Value: keepID}}, bson.D{{Key: "$set", Value: merged(keep, gone)}}); err != nil {
		return Person{}, fmt.Errorf("merge: %w", err)
	}
	if _, err := s.erasePersonOnly(ctx, gone); err != nil {
		return Person{}, err
	}
	return s.Person(ctx, keepID)
}

// merged is what keep's record becomes.
func merged(keep, gone Person) bson.D {
	latest := keep
	if gone.LastContactAt.After(keep.LastContactAt) {
		latest = gone
	}
	set := bson.D{
		{Key: "counselling_sessions", Value: keep.CounsellingSessions + gone.CounsellingSessions},
		{Key: "last_counsellor_id", Value: latest.LastCounsellorID},
		{Key: "last_contact_at", Value: latest.LastContactAt},
		{Key: "risk_open", Value: append(slices.Clone(keep.RiskOpen), gone.RiskOpen...)},
	}
	if gone.LastTextedAt != nil && (keep.LastTextedAt == nil || gone.LastTextedAt.After(*keep.LastTextedAt)) {
		set = append(set, bson.E{Key: "last_texted_at", Value: gone.LastTextedAt})
	}
	for _, f := range []struct{ key, keep, gone string }{{"phone", keep.Phone, gone.Phone}, {"email", keep.Email, gone.Email},
		{"postcode", keep.Postcode, gone.Postcode}, {"organisation", keep.Organisation, gone.Organisation},
		{"address", keep.Address, gone.Address}, {"job_role", keep.JobRole, gone.JobRole}, {"ethnicity", keep.Ethnicity, gone.Ethnicity},
		{"gender", keep.Gender, gone.Gender}, {"specialty", keep.Specialty, gone.Specialty}} {
		if f.keep == "" && f.gone != "" {
			set = append(set, bson.E{Key: f.key, Value: f.gone})
		}
	}
	return set
}

// erasePersonOnly deletes a person's own document and lookups, nothing else.
func (s *Store) erasePersonOnly(ctx context.Context, p Person) (Person, error) {
	if err := s.removeKey(ctx, lookupKey(p.Name, p.DateOfBirth), p.ID); err != nil {
		return p, err
	}
	if err := s.setBirthday(ctx, p, false); err != nil {
		return p, err
	}
	if _, err := s.coll(collPeople).DeleteOne(ctx, bson.D{{Key: "_id", Value: p.ID}}); err != nil {
		return p, fmt.Errorf("merge: delete merged record: %w", err)
	}
	return p, nil
}
