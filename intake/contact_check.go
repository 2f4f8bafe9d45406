package intake

import (
	"slices"
	"strings"

	"github.com/feedback-service/feedback/field"
)

// The parts of NewContact.check, in the order its problems are listed.

// tidy trims the typed fields; a built-in service is its own kind.
func (n *NewContact) tidy() {
	for _, f := range []*string{&n.Name, &n.DateOfBirth, &n.Phone, &n.Email, &n.Postcode, &n.Organisation, &n.Address, &n.JobRole,
		&n.MemberID, &n.MemberDetails} {
		*f = strings.TrimSpace(*f)
	}
	if n.Kind == "" && n.Service.Valid() {
		n.Kind = n.Service // a built-in is its own kind
	}
}

// formErrors is the validator's problems, with the date of birth's own
// message in place of the validator's.
func (n *NewContact) formErrors(today string) field.Errors {
	var fields field.Errors
	dobProblem := n.dateOfBirth(today)
	if err := validate.Struct(n); err != nil {
		fields = fieldErrors(err)
	}
	if dobProblem != "" {
		fields = slices.DeleteFunc(fields, func(f field.Error) bool { return f.Field == "date_of_birth" })
		fields.Add("date_of_birth", dobProblem)
	}
	return fields
}

// person is the form's person; a partner or dependant keeps the member's reference.
func (n *NewContact) person() Person {
	p := Person{Name: n.Name, DateOfBirth: n.DateOfBirth, Role: n.Role, Email: normaliseEmail(n.Email),
		Organisation: n.Organisation, Address: n.Address, JobRole: n.JobRole,
		Ethnicity: oneOf(n.Ethnicity, Ethnicities), Gender: oneOf(n.Gender, Genders), Specialty: oneOf(n.Specialty, Specialties)}
	if n.Role == Partner || n.Role == Dependant {
		p.MemberID, p.MemberDetails = n.MemberID, n.MemberDetails
	}
	return p
}

// checkPhone normalises a phone number the validator let through into p.
func (n *NewContact) checkPhone(p *Person, fields *field.Errors) {
	if n.Phone == "" || fields.For("phone") != "" {
		return
	}
	var ok bool
	if p.Phone, ok = NormalisePhone(n.Phone); !ok {
		fields.Add("phone", "Enter a phone number, like 07700 900123")
	}
}

// checkPostcode takes "refused" or "unknown" as an answer, asks for a
// postcode when there is immediate risk, and normalises one given into p.
func (n *NewContact) checkPostcode(p *Person, fields *field.Errors) {
	if missing := strings.ToLower(n.Postcode); missing == "refused" || missing == "unknown" {
		n.Postcode, n.PostcodeMissing = "", missing
	}
	if n.Risk && n.Postcode == "" && n.PostcodeMissing == "" && fields.For("postcode_missing") == "" {
		fields.Add("postcode", "Enter the postcode, or choose refused or unknown if the caller will not or cannot give it")
	}
	if n.Postcode == "" || fields.For("postcode") != "" {
		return
	}
	var ok bool
	if p.Postcode, ok = NormalisePostcode(n.Postcode); !ok {
		fields.Add("postcode", "Enter a full UK postcode, like SW1A 1AA")
	}
}
