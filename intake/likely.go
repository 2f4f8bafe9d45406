package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Returning callers who ring from a new number, or whose name is spelt
// differently, are found by date of birth and a similar name. Like
// person_keys, the lookup reads one small document by _id — here one per date
// of birth, listing who was born that day — never the people collection.

const collBirthdays = "person_birthdays"

type birthday struct {
	ID     string          `bson:"_id"` // YYYY-MM-DD
	People []birthdayEntry `bson:"people"`
}

type birthdayEntry struct {
	PersonID string `bson:"person_id"`
	Name     string `bson:"name"` // as nameKey gives it
}

// PossibleMatches stops a new record being made when people with the same
// date of birth and a similar name exist: the handler attaches the contact to
// one of them, or says the caller is someone new.
type PossibleMatches struct {
	People []Person
}

func (m *PossibleMatches) Error() string {
	return fmt.Sprintf("%d likely matches for this caller", len(m.People))
}

// LikelyMatches returns the people born on dob whose names are similar to name,
// whatever their phone number or e-mail address.
func (s *Store) LikelyMatches(ctx context.Context, name, dob string) ([]Person, error) {
	if strings.TrimSpace(name) == "" || dob == "" {
		return nil, nil
	}
	var b birthday
	err := s.findByID(ctx, collBirthdays, dob, &b)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("likely matches: %w", err)
	}
	var out []Person
	seen := map[string]bool{}
	for _, e := range b.People {
		if seen[e.PersonID] || !similarNames(nameKey(name), e.Name) {
			continue
		}
		seen[e.PersonID] = true
		p, err := s.Person(ctx, e.PersonID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("likely matches: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// setBirthday adds a person to, or takes them from, their date of birth's list.
func (s *Store) setBirthday(ctx context.Context, p Person, in bool) error {
	// The entry is pulled whole (the embedded store does not pull by a
	// condition on a field), so it is always written the same way.
	filter, entry := bson.D{{Key: "_id", Value: p.DateOfBirth}}, birthdayEntry{PersonID: p.ID, Name: nameKey(p.Name)}
	var err error
	if in {
		_, err = s.coll(collBirthdays).UpdateOne(ctx, filter,
			bson.D{{Key: "$addToSet", Value: bson.D{{Key: "people", Value: entry}}}}, options.UpdateOne().SetUpsert(true))
	} else {
		_, err = s.coll(collBirthdays).UpdateOne(ctx, filter, bson.D{{Key: "$pull", Value: bson.D{{Key: "people", Value: entry}}}})
	}
	if err != nil {
		return fmt.Errorf("birthday list: %w", err)
	}
	return nil
}

// similarNames: the same surname (last word) and first initial, or names at
// most two letters apart, or one name's words all in the other ("Alex
// Morgan" and "Alexandra Jane Morgan" share a surname and initial).
func similarNames(a, b string) bool {
	a, b = lettersOnly(a), lettersOnly(b)
	if a == b {
		return true
	}
	wa, wb := strings.Fields(a), strings.Fields(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if wa[len(wa)-1] == wb[len(wb)-1] && wa[0][0] == wb[0][0] {
		return true
	}
	return editDistance(a, b) <= 2
}

func lettersOnly(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsSpace(r) {
			return unicode.ToLower(r)
		}
		if r == '-' || r == '\'' {
			return ' '
		}
		return -1
	}, s)), " ")
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// warnOfMatches stops a new record when likely matches exist and the handler
// has not yet said the caller is someone new. A caller at risk is never held
// up: their record is made, and can be merged later.
func (s *Store) warnOfMatches(ctx context.Context, n NewContact, p Person) error {
	if n.PersonID != "" || n.NewPerson || n.Risk {
		return nil
	}
	found, err := s.LikelyMatches(ctx, p.Name, p.DateOfBirth)
	if err != nil || len(found) == 0 {
		return err
	}
	return &PossibleMatches{People: found}
}

// backfillBirthdays builds the date-of-birth lists once, for people recorded
// before them. It reads every person, so it runs at start-up, never per request.
func (s *Store) backfillBirthdays(ctx context.Context) error {
	n, err := s.coll(collBirthdays).EstimatedDocumentCount(ctx)
	if err != nil || n > 0 {
		return err
	}
	cur, err := s.coll(collPeople).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "date_of_birth", Value: 1}}))
	if err != nil {
		return fmt.Errorf("backfill birthdays: %w", err)
	}
	var people []Person
	if err := cur.All(ctx, &people); err != nil {
		return fmt.Errorf("backfill birthdays: %w", err)
	}
	for _, p := range people {
		if err := s.setBirthday(ctx, p, true); err != nil {
			return err
		}
	}
	return nil
}
