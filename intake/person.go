package intake

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/field"
)

// Person is someone who has contacted the service. Counselling records name,
// phone and/or e-mail, date of birth, postcode and organisation; peer support
// records name, contact number, address, date of birth and job role.
type Person struct {
	ID           string `bson:"_id" json:"id"`
	Name         string `bson:"name" json:"name"`
	DateOfBirth  string `bson:"date_of_birth" json:"date_of_birth"` // YYYY-MM-DD
	Role         Role   `bson:"role" json:"role"`
	Phone        string `bson:"phone,omitempty" json:"phone,omitempty"`
	Email        string `bson:"email,omitempty" json:"email,omitempty"`
	Postcode     string `bson:"postcode,omitempty" json:"postcode,omitempty"`
	Organisation string `bson:"organisation,omitempty" json:"organisation,omitempty"`
	Address      string `bson:"address,omitempty" json:"address,omitempty"`
	JobRole      string `bson:"job_role,omitempty" json:"job_role,omitempty"`
	// The privacy notice's optional fields (see profile.go).
	Ethnicity string `bson:"ethnicity,omitempty" json:"ethnicity,omitempty"`
	Gender    string `bson:"gender,omitempty" json:"gender,omitempty"`
	Specialty string `bson:"specialty,omitempty" json:"specialty,omitempty"`
	// A partner or dependant is linked to the member (doctor or medical
	// student) who makes them eligible: MemberID when the member has a record,
	// otherwise the member's details as given.
	MemberID      string `bson:"member_id,omitempty" json:"member_id,omitempty"`
	MemberDetails string `bson:"member_details,omitempty" json:"member_details,omitempty"`
	// CounsellingSessions counts counselling contacts; the seventh is refused.
	CounsellingSessions int `bson:"counselling_sessions" json:"counselling_sessions"`
	// LastCounsellorID is who the last counselling contact was routed to, for
	// "the same counsellor again".
	LastCounsellorID string    `bson:"last_counsellor_id,omitempty" json:"last_counsellor_id,omitempty"`
	CreatedAt        time.Time `bson:"created_at" json:"created_at"`
	// LastContactAt starts the retention period.
	LastContactAt time.Time `bson:"last_contact_at" json:"last_contact_at"`
	// LastTextedAt is when the last survey text was sent (at most one per 30 days).
	LastTextedAt *time.Time `bson:"last_texted_at,omitempty" json:"last_texted_at,omitempty"`
	// RiskOpen lists the person's contacts whose immediate-risk flag is open:
	// while it is not empty, no survey text goes to them.
	RiskOpen []string `bson:"risk_open,omitempty" json:"risk_open,omitempty"`
}

// personKey groups people by normalised name and date of birth. Its _id is the
// lookup key, because equality on _id is the only lookup the embedded store
// answers without decoding every document: finding a person reads this small
// document and then each candidate by _id, instead of filtering all people.
type personKey struct {
	ID        string   `bson:"_id"`
	PersonIDs []string `bson:"person_ids"`
}

func lookupKey(name, dob string) string { return nameKey(name) + "|" + dob }

// FindPerson returns the people recorded with this name and date of birth
// (YYYY-MM-DD) who also have this phone number or e-mail address. The handler
// confirms which candidate, if any, is the caller. Name, date of birth and at
// least one of phone and email are needed; field.Errors names those missing
// by the search form's fields (name, dob, phone).
func (s *Store) FindPerson(ctx context.Context, name, dob, phone, email string) ([]Person, error) {
	phone, _ = NormalisePhone(phone)
	email = normaliseEmail(email)
	var problems field.Errors
	if strings.TrimSpace(name) == "" {
		problems.Add("name", "Enter the caller's full name")
	}
	if strings.TrimSpace(dob) == "" {
		problems.Add("dob", "Enter the caller's date of birth")
	}
	if phone == "" && email == "" {
		problems.Add("phone", "Enter a phone number or e-mail address")
	}
	if problems != nil {
		return nil, problems
	}
	var key personKey
	err := s.findByID(ctx, collPersonKeys, lookupKey(name, dob), &key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}
	var found []Person
	for _, id := range key.PersonIDs {
		var p Person
		err := s.findByID(ctx, collPeople, id, &p)
		if errors.Is(err, ErrNotFound) {
			continue // erased or purged between the two reads
		}
		if err != nil {
			return nil, fmt.Errorf("find person: %w", err)
		}
		if (phone != "" && p.Phone == phone) || (email != "" && p.Email == email) {
			found = append(found, p)
		}
	}
	return found, nil
}

// Person returns one person's record. Every view of it is to be audited by the caller.
func (s *Store) Person(ctx context.Context, id string) (Person, error) {
	var p Person
	return p, s.findByID(ctx, collPeople, id, &p)
}

func (s *Store) insertPerson(ctx context.Context, p Person) error {
	if _, err := s.coll(collPeople).InsertOne(ctx, p); err != nil {
		return fmt.Errorf("record person: %w", err)
	}
	if !p.findable() {
		return nil
	}
	if err := s.setBirthday(ctx, p, true); err != nil {
		return err
	}
	return s.addKey(ctx, lookupKey(p.Name, p.DateOfBirth), p.ID)
}

// findable: a person is found again by name and date of birth, so one
// recorded at risk without them has no lookup key or birthday entry yet.
func (p Person) findable() bool { return p.Name != "" && p.DateOfBirth != "" }

// updatePerson records a returning person's details where the form gave them
// (a peer-support form has no e-mail or organisation, and a form at risk may
// know nothing: neither may erase what is held). Their lookup key moves when
// name or date of birth were corrected, or first given.
func (s *Store) updatePerson(ctx context.Context, old, p Person) error {
	set := bson.D{{Key: "last_contact_at", Value: p.LastContactAt}}
	if p.LastContactAt.IsZero() {
		set = nil
	}
	p.Name, p.DateOfBirth, p.Role = cmp.Or(p.Name, old.Name), cmp.Or(p.DateOfBirth, old.DateOfBirth), cmp.Or(p.Role, old.Role)
	for _, f := range []struct{ key, value string }{{"name", p.Name}, {"date_of_birth", p.DateOfBirth}, {"role", string(p.Role)},
		{"phone", p.Phone}, {"email", p.Email}, {"postcode", p.Postcode},
		{"organisation", p.Organisation}, {"address", p.Address}, {"job_role", p.JobRole},
		{"ethnicity", p.Ethnicity}, {"gender", p.Gender}, {"specialty", p.Specialty},
		{"member_id", p.MemberID}, {"member_details", p.MemberDetails}} {
		if f.value != "" {
			set = append(set, bson.E{Key: f.key, Value: f.value})
		}
	}
	_, err := s.coll(collPeople).UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	oldKey, newKey := lookupKey(old.Name, old.DateOfBirth), lookupKey(p.Name, p.DateOfBirth)
	if oldKey == newKey || !p.findable() {
		return nil
	}
	if old.findable() {
		if err := s.setBirthday(ctx, old, false); err != nil {
			return err
		}
		if err := s.removeKey(ctx, oldKey, p.ID); err != nil {
			return err
		}
	}
	if err := s.setBirthday(ctx, p, true); err != nil {
		return err
	}
	return s.addKey(ctx, newKey, p.ID)
}

func (s *Store) addKey(ctx context.Context, key, personID string) error {
	_, err := s.coll(collPersonKeys).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "person_ids", Value: personID}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("index person: %w", err)
	}
	return nil
}

func (s *Store) removeKey(ctx context.Context, key, personID string) error {
	_, err := s.coll(collPersonKeys).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "person_ids", Value: personID}}}})
	if err != nil {
		return fmt.Errorf("unindex person: %w", err)
	}
	// An empty key would still hold a name and date of birth: remove it.
	_, err = s.coll(collPersonKeys).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "person_ids", Value: bson.D{{Key: "$size", Value: 0}}}})
	if err != nil {
		return fmt.Errorf("unindex person: %w", err)
	}
	return nil
}
