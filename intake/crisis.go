package intake

import (
	"slices"

	"github.com/feedback-service/feedback/field"
)

// Immediate risk never waits for a form: a contact at risk is recorded with the
// risk answer alone. Every other detail may be unknown (not asked yet, or the
// caller does not know it) or refused; a detail typed in a form it does not fit
// (a phone number that is not one) is kept as typed, to correct later, and
// blocks nothing. The contact is incomplete while any detail is unknown, and is
// completed on its own page (CompleteDetails). It is routed, and counts a
// counselling session and a practitioner's capacity, only when the handler
// chose a service and everything that service needs is known.

// Why a detail is missing.
const (
	DetailUnknown = "unknown" // not asked yet, or the caller does not know it
	DetailRefused = "refused" // the caller would not give it: an answer, not a gap
)

// CrisisOnly is the new-contact form's service answer for a caller at risk who
// is helped there and then and routed to no one.
const CrisisOnly = "crisis"

// MissingDetail is one detail a contact at risk was recorded without, by the
// form's field name.
type MissingDetail struct {
	Field string `bson:"field" json:"field"`
	Why   string `bson:"why" json:"why"`
	// Given is what was typed when it could not be kept (a date that is not
	// one), shown to the handler who completes the record.
	Given string `bson:"given,omitempty" json:"given,omitempty"`
}

// routingDetails are what a service needs known before a caller is routed, in
// the order the form asks them; crisisDetails are asked of every caller at risk.
func routingDetails(kind ServiceType) []string {
	d := []string{"channel", "role", "name", "date_of_birth", "phone"}
	switch kind {
	case Counselling:
		return append(d, "organisation")
	case PeerSupport:
		return append(d, "address", "job_role")
	}
	return d
}

func crisisDetails(kind ServiceType) []string {
	return append([]string{"service"}, append(routingDetails(kind), "postcode")...)
}

// Incomplete reports whether a detail of the contact is still unknown.
func (c Contact) Incomplete() bool {
	return slices.ContainsFunc(c.Missing, func(m MissingDetail) bool { return m.Why == DetailUnknown })
}

// forgive turns the problems of a form at risk into missing details: each
// value in trouble is dropped (kept as Given), and the details still not
// known are listed, refused where the handler said so.
func (n *NewContact) forgive(p *Person, problems field.Errors) {
	given := map[string]string{}
	for _, f := range problems {
		if g := n.drop(f.Field, p); g != "" {
			given[f.Field] = g
		}
	}
	have := detailsKnown(n.Service, n.Kind, n.Channel, n.Role, *p)
	if n.CrisisOnly {
		have["service"] = true
	}
	n.missing = nil
	for _, f := range crisisDetails(n.Kind) {
		if !have[f] {
			n.missing = append(n.missing, MissingDetail{Field: f, Why: n.why(f), Given: given[f]})
			delete(given, f)
		}
	}
	// A dropped value the service does not need (an e-mail address that is not one) is still to correct.
	for _, f := range []string{"email", "member_id", "member_details", "language"} {
		if g, ok := given[f]; ok {
			n.missing = append(n.missing, MissingDetail{Field: f, Why: DetailUnknown, Given: g})
		}
	}
}

// detailsKnown says which of the details a contact needs are known. Counselling
// and a crisis need a phone number or an e-mail address; peer support a number.
func detailsKnown(service, kind ServiceType, ch Channel, role Role, p Person) map[string]bool {
	return map[string]bool{"service": service != "", "channel": ch != "", "role": role != "", "name": p.Name != "",
		"date_of_birth": p.DateOfBirth != "", "phone": p.Phone != "" || (kind != PeerSupport && p.Email != ""),
		"postcode": p.Postcode != "", "organisation": p.Organisation != "", "address": p.Address != "", "job_role": p.JobRole != ""}
}

// why a detail is missing: refused when the handler ticked it (or chose
// "refused" for the postcode), else unknown.
func (n *NewContact) why(f string) string {
	if slices.Contains(n.Refused, f) || (f == "postcode" && n.PostcodeMissing == DetailRefused) {
		return DetailRefused
	}
	return DetailUnknown
}

// drop clears the field named by a form problem, in the form and the person,
// and returns what had been typed there.
func (n *NewContact) drop(name string, p *Person) (given string) {
	str := func(form, person *string) {
		given, *form = *form, ""
		if person != nil {
			*person = ""
		}
	}
	switch name {
	case "service":
		given, n.Service, n.Kind = string(n.Service), "", ""
	case "channel":
		given, n.Channel = string(n.Channel), ""
	case "role":
		given, n.Role = string(n.Role), ""
	case "name":
		str(&n.Name, &p.Name)
	case "date_of_birth":
		given = n.typedDateOfBirth()
		n.DateOfBirth, p.DateOfBirth = "", ""
	case "phone":
		str(&n.Phone, &p.Phone)
	case "email":
		str(&n.Email, &p.Email)
	case "email_agreed":
		n.EmailAgreed = false
	case "postcode":
		str(&n.Postcode, &p.Postcode)
	case "postcode_missing":
		n.PostcodeMissing = ""
	case "organisation":
		str(&n.Organisation, &p.Organisation)
	case "address":
		str(&n.Address, &p.Address)
	case "job_role":
		str(&n.JobRole, &p.JobRole)
	case "member_id":
		str(&n.MemberID, &p.MemberID)
	case "member_details":
		str(&n.MemberDetails, &p.MemberDetails)
	}
	return given
}

// typedDateOfBirth is the date of birth as the boxes gave it, day/month/year.
func (n *NewContact) typedDateOfBirth() string {
	if n.DOBDay == "" && n.DOBMonth == "" && n.DOBYear == "" {
		return n.DateOfBirth
	}
	return n.DOBDay + "/" + n.DOBMonth + "/" + n.DOBYear
}

// routable: the handler chose a service and everything it needs is known.
func (n *NewContact) routable() bool {
	if n.CrisisOnly || n.Service == "" {
		return false
	}
	for _, m := range n.missing {
		if slices.Contains(routingDetails(n.Kind), m.Field) {
			return false
		}
	}
	return true
}

// Why a contact at risk was routed to no one, in words the handler reads.
const (
	UnroutedCrisis  = "Recorded for immediate risk: a crisis contact, routed to no one. It counts no counselling session."
	UnroutedDetails = "Recorded for immediate risk and routed to no one, because details the service needs are not known yet. " +
		"Once the caller can be helped further, complete the details and open a new contact for them."
)

// noPractitioner is why a caller at risk was not routed: nobody is active.
func noPractitioner(kind ServiceType) string {
	who := "counsellor"
	if kind == PeerSupport {
		who = "peer supporter"
	}
	return "Recorded for immediate risk, routed to no one: there is no active " + who + ". Ask an administrator to activate one."
}
