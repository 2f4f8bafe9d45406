package intake

import (
	"fmt"
	"strings"
)

// A returning caller's record is never changed silently. When the form,
// attached to their record, gives a detail that differs from the one stored
// (a name spelt another way, another date of birth or phone number), the
// handler sees both side by side and chooses, per detail, which to keep. A
// caller at immediate risk is never held up by the question: the details they
// give now are used, and the contact lists each change, old and new, so the
// handler can put one right afterwards.

// Keep choices for one differing detail, in NewContact.Keep.
const (
	KeepStored = "stored"
	KeepNew    = "new"
)

// KeepField is the form's field for the choice about one detail: "keep_name".
func KeepField(detail string) string { return "keep_" + detail }

// DetailChange is one detail of a returning caller's record that the form
// gave differently: Field is the form's field name.
type DetailChange struct {
	Field  string `bson:"field" json:"field"`
	Stored string `bson:"stored" json:"stored"`
	Typed  string `bson:"typed" json:"typed"`
}

// DetailsDiffer stops attaching a contact to a returning caller's record
// while a detail given differs from the stored one and the handler has not
// chosen which to keep.
type DetailsDiffer struct {
	Changes []DetailChange
}

func (e *DetailsDiffer) Error() string {
	fields := make([]string, len(e.Changes))
	for i, c := range e.Changes {
		fields[i] = c.Field
	}
	return fmt.Sprintf("details differ from the record: %s", strings.Join(fields, ", "))
}

// comparedDetails are the person's details a handler is asked about, in the
// form's order, each read from a Person.
var comparedDetails = []struct {
	field string
	of    func(*Person) *string
}{
	{"name", func(p *Person) *string { return &p.Name }},
	{"date_of_birth", func(p *Person) *string { return &p.DateOfBirth }},
	{"role", func(p *Person) *string { return (*string)(&p.Role) }},
	{"phone", func(p *Person) *string { return &p.Phone }},
	{"email", func(p *Person) *string { return &p.Email }},
	{"postcode", func(p *Person) *string { return &p.Postcode }},
	{"organisation", func(p *Person) *string { return &p.Organisation }},
	{"address", func(p *Person) *string { return &p.Address }},
	{"job_role", func(p *Person) *string { return &p.JobRole }},
}

// reconcile applies the handler's choices to p, the person the form gives,
// against old, their stored record, and returns the details changed on the
// record. A detail left blank keeps the stored one, and one stored blank is
// simply filled: neither is a difference. While any difference has no
// choice, it is a *DetailsDiffer, except at immediate risk (see above).
func (n NewContact) reconcile(p *Person, old Person) ([]DetailChange, error) {
	var changed, undecided []DetailChange
	for _, d := range comparedDetails {
		typed, stored := d.of(p), *d.of(&old)
		if *typed == "" || stored == "" || *typed == stored {
			continue
		}
		change := DetailChange{Field: d.field, Stored: stored, Typed: *typed}
		switch n.Keep[d.field] {
		case KeepStored:
			*typed = stored
		case KeepNew:
			changed = append(changed, change)
		default:
			if n.Risk {
				changed = append(changed, change)
			} else {
				undecided = append(undecided, change)
			}
		}
	}
	if len(undecided) > 0 {
		return nil, &DetailsDiffer{Changes: undecided}
	}
	return changed, nil
}
