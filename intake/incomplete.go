package intake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/field"
)

// Contacts recorded at risk with details unknown are listed until completed.
// The list is a small collection of its own (one document per incomplete
// contact: its id, person and when it was opened), so listing them never
// reads the contacts collection, which grows with use.

const collIncomplete = "incomplete_contacts"

type incompleteEntry struct {
	ContactID string    `bson:"_id"`
	PersonID  string    `bson:"person_id"`
	OpenedAt  time.Time `bson:"opened_at"`
}

// MaxIncompleteListed is how many incomplete contacts the list shows, oldest first.
const MaxIncompleteListed = 200

// listIncomplete adds an incomplete contact to the list, or takes a complete one off it.
func (s *Store) listIncomplete(ctx context.Context, c Contact) error {
	var err error
	if c.Incomplete() {
		_, err = s.coll(collIncomplete).UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}},
			bson.D{{Key: "$set", Value: incompleteEntry{ContactID: c.ID, PersonID: c.PersonID, OpenedAt: c.OpenedAt}}},
			options.UpdateOne().SetUpsert(true))
	} else {
		_, err = s.coll(collIncomplete).DeleteOne(ctx, bson.D{{Key: "_id", Value: c.ID}})
	}
	if err != nil {
		return fmt.Errorf("incomplete contacts: %w", err)
	}
	return nil
}

// IncompleteContacts are the contacts with a detail still unknown, oldest first.
func (s *Store) IncompleteContacts(ctx context.Context) ([]Contact, error) {
	cur, err := s.coll(collIncomplete).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "opened_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(MaxIncompleteListed))
	if err != nil {
		return nil, fmt.Errorf("incomplete contacts: %w", err)
	}
	var entries []incompleteEntry
	if err := cur.All(ctx, &entries); err != nil {
		return nil, fmt.Errorf("incomplete contacts: %w", err)
	}
	out := make([]Contact, 0, len(entries))
	for _, e := range entries {
		c, err := s.Contact(ctx, e.ContactID)
		if errors.Is(err, ErrNotFound) {
			continue // erased or purged
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Details are the missing details a handler completes on a contact's page, as
// its form gives them; only details the contact is missing are read.
type Details struct {
	Service, Channel, Role, Name   string
	DOBDay, DOBMonth, DOBYear      string
	Phone, Email, Postcode         string
	Organisation, Address, JobRole string
	// Refused names the details the caller would not give.
	Refused []string
}

// CompleteDetails records details a contact at risk was opened without: each
// one given is checked as the new-contact form checks it, a ticked one is
// recorded as refused, and one left empty stays unknown. The person's record
// gains them (a name and date of birth make the person findable again); the
// contact leaves the incomplete list once nothing is unknown. It never routes:
// a caller to be helped further gets a new contact.
func (s *Store) CompleteDetails(ctx context.Context, contactID string, d Details) (Contact, error) {
	c, err := s.Contact(ctx, contactID)
	if err != nil {
		return Contact{}, err
	}
	old, err := s.Person(ctx, c.PersonID)
	if err != nil {
		return Contact{}, fmt.Errorf("complete details: person %w", err)
	}
	p, set, missing, problems := Person{ID: old.ID}, bson.D{}, []MissingDetail(nil), field.Errors{}
	for _, m := range c.Missing {
		value, problem := s.detailValue(m.Field, d, &p, &c)
		switch {
		case problem != "":
			problems.Add(m.Field, problem)
		case value != "":
			continue
		case slices.Contains(d.Refused, m.Field):
			m.Why = DetailRefused
		}
		missing = append(missing, m)
	}
	if err := problems.Err(); err != nil {
		return c, err
	}
	if err := s.updatePerson(ctx, old, p); err != nil {
		return c, fmt.Errorf("complete details: %w", err)
	}
	c.Missing = missing
	set = append(set, bson.E{Key: "missing", Value: missing}, bson.E{Key: "service", Value: c.Service},
		bson.E{Key: "crisis", Value: c.Crisis}, bson.E{Key: "channel", Value: c.Channel})
	if _, err := s.coll(collContacts).UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, bson.D{{Key: "$set", Value: set}}); err != nil {
		return c, fmt.Errorf("complete details: %w", err)
	}
	return c, s.listIncomplete(ctx, c)
}

// detailValue checks one detail given on the completing form and puts it in
// the person or the contact; it returns the value kept ("" when none was
// given) or what is wrong with it.
func (s *Store) detailValue(name string, d Details, p *Person, c *Contact) (string, string) {
	text := func(v string, max int, to *string) (string, string) {
		v = strings.TrimSpace(v)
		if len([]rune(v)) > max {
			return "", fmt.Sprintf("Must be %d characters or fewer", max)
		}
		*to = v
		return v, ""
	}
	switch name {
	case "service":
		switch v := ServiceType(d.Service); {
		case v == "":
		case string(v) == CrisisOnly:
			c.Crisis = true
			return CrisisOnly, ""
		case s.Services.kindOf(v) == "":
			return "", "Select one of the services listed"
		default:
			c.Service = v
			return string(v), ""
		}
	case "channel":
		if d.Channel != "" && !slices.Contains([]Channel{Phone, Video, LiveChat, Email}, Channel(d.Channel)) {
			return "", "Select how they contacted us"
		}
		c.Channel = Channel(d.Channel)
		return d.Channel, ""
	case "role":
		if d.Role != "" && !slices.Contains([]Role{Doctor, MedicalStudent, Partner, Dependant, Other}, Role(d.Role)) {
			return "", "Select who the caller is"
		}
		p.Role = Role(d.Role)
		return d.Role, ""
	case "name":
		return text(d.Name, 200, &p.Name)
	case "date_of_birth":
		return s.completeDateOfBirth(d, p)
	case "phone":
		return completeContactDetails(d, p)
	case "email":
		_, problem := completeContactDetails(d, p)
		return p.Email, problem
	case "postcode":
		if strings.TrimSpace(d.Postcode) == "" {
			return "", ""
		}
		pc, ok := NormalisePostcode(d.Postcode)
		if !ok {
			return "", "Enter a full UK postcode, like SW1A 1AA"
		}
		p.Postcode = pc
		return pc, ""
	case "organisation":
		return text(d.Organisation, 200, &p.Organisation)
	case "address":
		return text(d.Address, 500, &p.Address)
	case "job_role":
		return text(d.JobRole, 200, &p.JobRole)
	}
	return "", ""
}

func (s *Store) completeDateOfBirth(d Details, p *Person) (string, string) {
	if strings.TrimSpace(d.DOBDay+d.DOBMonth+d.DOBYear) == "" {
		return "", ""
	}
	dob, problem := ParseDate(d.DOBDay, d.DOBMonth, d.DOBYear, "Date of birth")
	if problem == "" && (dob > s.today().Format(time.DateOnly) || dob < "1900-01-01") {
		problem = "Date of birth must be in the past, and after 1900"
	}
	if problem != "" {
		return "", problem
	}
	p.DateOfBirth = dob
	return dob, ""
}

// completeContactDetails reads a phone number and an e-mail address; either completes "phone".
func completeContactDetails(d Details, p *Person) (string, string) {
	if phone := strings.TrimSpace(d.Phone); phone != "" {
		n, ok := NormalisePhone(phone)
		if !ok {
			return "", "Enter a phone number, like 07700 900123"
		}
		p.Phone = n
	}
	if email := strings.TrimSpace(d.Email); email != "" {
		if err := validate.Var(email, "email,max=254"); err != nil {
			return "", "Enter an e-mail address, like name@example.com"
		}
		p.Email = normaliseEmail(email)
	}
	return p.Phone + p.Email, ""
}
