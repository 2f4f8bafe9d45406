package intake

import (
	"cmp"
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

// The privacy notice's fields: ethnicity, specialty, place of work (the
// organisation), age and gender, for both services. Each is optional with
// "prefer not to say", and none can stop a record being saved: an answer not
// in the list is dropped, not refused. They stay in intake; what leaves
// intake's pages is a report of counts with small numbers suppressed.

// PreferNotToSay is an answer to every optional question.
const PreferNotToSay = "prefer-not-to-say"

// Option is one answer to a question with fixed answers.
type Option struct{ Value, Label string }

// Ethnicities are the ONS 2021 census categories for England and Wales.
var Ethnicities = []Option{
	{"asian-indian", "Asian or Asian British: Indian"}, {"asian-pakistani", "Asian or Asian British: Pakistani"},
	{"asian-bangladeshi", "Asian or Asian British: Bangladeshi"}, {"asian-chinese", "Asian or Asian British: Chinese"},
	{"asian-other", "Asian or Asian British: any other Asian background"},
	{"black-caribbean", "Black, Black British, Caribbean or African: Caribbean"}, {"black-african", "Black, Black British, Caribbean or African: African"},
	{"black-other", "Black, Black British, Caribbean or African: any other Black, Black British or Caribbean background"},
	{"mixed-white-black-caribbean", "Mixed or multiple ethnic groups: White and Black Caribbean"},
	{"mixed-white-black-african", "Mixed or multiple ethnic groups: White and Black African"},
	{"mixed-white-asian", "Mixed or multiple ethnic groups: White and Asian"},
	{"mixed-other", "Mixed or multiple ethnic groups: any other Mixed or multiple ethnic background"},
	{"white-british", "White: English, Welsh, Scottish, Northern Irish or British"}, {"white-irish", "White: Irish"},
	{"white-gypsy-traveller", "White: Gypsy or Irish Traveller"}, {"white-roma", "White: Roma"},
	{"white-other", "White: any other White background"},
	{"other-arab", "Other ethnic group: Arab"}, {"other", "Other ethnic group: any other ethnic group"},
	{PreferNotToSay, "Prefer not to say"},
}

// Genders a caller may give.
var Genders = []Option{{"woman", "Woman"}, {"man", "Man"}, {"non-binary", "Non-binary"},
	{"another", "Another gender"}, {PreferNotToSay, "Prefer not to say"}}

// Specialties are broad groups, few enough to count without identifying anyone.
var Specialties = []Option{{"anaesthetics", "Anaesthetics and intensive care"}, {"emergency", "Emergency medicine"},
	{"general-practice", "General practice"}, {"medicine", "Medicine (physicianly specialties)"},
	{"obstetrics", "Obstetrics and gynaecology"}, {"paediatrics", "Paediatrics"}, {"pathology", "Pathology"},
	{"psychiatry", "Psychiatry"}, {"radiology", "Radiology"}, {"surgery", "Surgery"},
	{"foundation", "Foundation doctor, not yet in a specialty"}, {"student", "Medical student"},
	{"other", "Another specialty"}, {"not-applicable", "Not a doctor (partner or dependant)"}, {PreferNotToSay, "Prefer not to say"}}

// oneOf is v when it is one of the options, else "": an unknown answer is dropped.
func oneOf(v string, options []Option) string {
	if slices.ContainsFunc(options, func(o Option) bool { return o.Value == v }) {
		return v
	}
	return ""
}

// Label is the words for value among options ("" when not given).
func Label(options []Option, value string) string {
	for _, o := range options {
		if o.Value == value {
			return o.Label
		}
	}
	return ""
}

// AgeBand is the band an age falls in, for counting.
func AgeBand(age int) string {
	switch {
	case age < 25:
		return "16-24"
	case age < 35:
		return "25-34"
	case age < 45:
		return "35-44"
	case age < 55:
		return "45-54"
	case age < 65:
		return "55-64"
	default:
		return "65+"
	}
}

// collProfileCounts holds one small document per month ("2026-11") counting
// contacts by the caller's answers: the intake report reads a year of them,
// never the people collection.
const collProfileCounts = "profile_counts"

// countProfile adds one contact to its month's counts, by each field.
func (s *Store) countProfile(ctx context.Context, c Contact, p Person) error {
	dob, _ := time.Parse(time.DateOnly, p.DateOfBirth)
	inc := bson.D{{Key: "n", Value: 1}}
	for _, f := range []struct{ field, value string }{
		{"service", string(c.Service)}, {"role", string(p.Role)}, {"age_band", AgeBand(AgeOn(dob, s.today()))},
		{"ethnicity", p.Ethnicity}, {"gender", p.Gender}, {"specialty", p.Specialty},
	} {
		inc = append(inc, bson.E{Key: f.field + "." + strings.ReplaceAll(cmp.Or(f.value, "not-asked"), ".", "-"), Value: 1})
	}
	month := c.OpenedAt.In(s.Location).Format("2006-01")
	_, err := s.coll(collProfileCounts).UpdateOne(ctx, bson.D{{Key: "_id", Value: month}},
		bson.D{{Key: "$inc", Value: inc}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("count contact: %w", err)
	}
	return nil
}

// checkMember checks the member a partner or dependant is linked to. A
// reference that names no record is a problem of the form, except for a
// caller at risk, whose record is never held up: the reference is then kept
// as the member's details.
func (s *Store) checkMember(ctx context.Context, p *Person, atRisk bool) error {
	if p.MemberID == "" {
		return nil
	}
	_, err := s.Person(ctx, p.MemberID)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("member: %w", err)
	case atRisk:
		p.MemberDetails = strings.TrimSpace("record reference " + p.MemberID + " (not found); " + p.MemberDetails)
		p.MemberID = ""
		return nil
	}
	return field.Errors{{Field: "member_id", Message: "No record has this reference: check it, or leave it empty and give the member's details"}}
}
