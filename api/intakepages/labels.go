package intakepages

import (
	"fmt"
	"strings"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/intake"
)

// Every value intake stores, in the words a call handler reads: no page shows
// "peer-supporter" or "live-chat". The choices the forms offer are the same
// words, so a form and the record it makes agree.

var (
	kindChoices = []web.Choice{{Value: string(intake.Counsellor), Label: "Counsellor"},
		{Value: string(intake.PeerSupporter), Label: "Peer-support doctor"}}
	// detailChoices name the details a contact at risk may be recorded without, by field.
	detailChoices = []web.Choice{{Value: "service", Label: "Service"}, {Value: "channel", Label: "How they contacted us"},
		{Value: "role", Label: "Who the caller is"}, {Value: "name", Label: "Full name"}, {Value: "date_of_birth", Label: "Date of birth"},
		{Value: "phone", Label: "Phone number or e-mail address"}, {Value: "postcode", Label: "Postcode"},
		{Value: "organisation", Label: "Place of work or study"}, {Value: "address", Label: "Address"}, {Value: "job_role", Label: "Job role"},
		{Value: "email", Label: "E-mail address"}, {Value: "member_id", Label: "The member's record reference"},
		{Value: "member_details", Label: "The member's details"}}
	whyChoices = []web.Choice{{Value: intake.DetailUnknown, Label: "not known yet"}, {Value: intake.DetailRefused, Label: "refused by the caller"}}
	// changeChoices name the details of a returning caller's record a contact can change.
	changeChoices = []web.Choice{{Value: "name", Label: "Full name"}, {Value: "date_of_birth", Label: "Date of birth"},
		{Value: "role", Label: "Who the caller is"}, {Value: "phone", Label: "Phone number"}, {Value: "email", Label: "E-mail address"},
		{Value: "postcode", Label: "Postcode"}, {Value: "organisation", Label: "Place of work or study"},
		{Value: "address", Label: "Address"}, {Value: "job_role", Label: "Job role"}}
	// turnedAwayReasons are why a caller who was not at risk was turned away.
	turnedAwayReasons = []web.Choice{{Value: intake.TurnedAwayGroup, Label: "Not a doctor, medical student, partner or dependant"},
		{Value: intake.TurnedAwayUnder16, Label: "Under 16"}, {Value: intake.TurnedAwayDependantAge, Label: "Dependant outside 16 to 24"},
		{Value: intake.TurnedAwaySessionLimit, Label: "Six counselling sessions already had"},
		{Value: intake.TurnedAwayNoPractitioner, Label: "No active practitioner to route to"}, {Value: intake.TurnedAwayOther, Label: "Another rule"}}
	// noTextReasons are why a handler chose no survey text for a contact.
	noTextReasons = []web.Choice{{Value: string(intake.NoTextDistressing), Label: "The call was distressing"},
		{Value: string(intake.NoTextSharedPhone), Label: "Someone else may read the caller's texts (a shared phone)"},
		{Value: string(intake.NoTextAskedNot), Label: "The caller asked not to have one"},
		{Value: string(intake.NoTextOther), Label: "Another reason"}}
	// noTextChoices are the closing form's choice: the text as agreed, or none and why.
	noTextChoices = func() []web.Choice {
		out := []web.Choice{{Value: "", Label: "Send it, if the caller agreed to one"}}
		for _, c := range noTextReasons {
			out = append(out, web.Choice{Value: c.Value, Label: "No survey text: " + strings.ToLower(c.Label[:1]) + c.Label[1:]})
		}
		return out
	}()
)

// labels are the words for each stored value, by the field it is stored in.
func labels(services *intake.Services) map[string][]web.Choice {
	var svc []web.Choice
	for _, v := range services.All() {
		svc = append(svc, web.Choice{Value: string(v.Type), Label: v.Title})
	}
	svc = append(svc, web.Choice{Value: intake.CrisisOnly, Label: "Crisis support only"})
	opts := func(os []intake.Option) []web.Choice {
		out := make([]web.Choice, len(os))
		for i, o := range os {
			out[i] = web.Choice{Value: o.Value, Label: o.Label}
		}
		return append(out, web.Choice{Value: "not-asked", Label: "Not asked"})
	}
	return map[string][]web.Choice{"service": svc, "channel": channelChoices, "role": roleChoices, "kind": kindChoices,
		"language": languageChoices, "detail": detailChoices, "why": whyChoices, "no_text": noTextReasons, "changed": changeChoices, "turned_away": turnedAwayReasons,
		"ethnicity": opts(intake.Ethnicities), "gender": opts(intake.Genders), "specialty": opts(intake.Specialties)}
}

// labeller is the templates' "label": the words for value stored in field, or
// the value itself when it has none (a service since removed).
func labeller(services *intake.Services) func(field string, value any) string {
	return func(field string, value any) string {
		v := fmt.Sprint(value)
		// The services are read each time: one may be added while the service runs.
		for _, c := range labels(services)[field] {
			if c.Value == v {
				return c.Label
			}
		}
		return v
	}
}

// refusableDetails are the details a caller at risk may refuse on the new-contact form.
var refusableDetails = func() []web.Choice {
	var out []web.Choice
	for _, c := range detailChoices {
		switch c.Value {
		case "role", "name", "date_of_birth", "phone", "organisation", "address", "job_role":
			out = append(out, c)
		}
	}
	return out
}()

// detailText shows one stored detail of a person as a handler reads it: a
// date of birth as "2 April 1985", a phone number spaced, a role in words.
func detailText(field, value string) string {
	switch field {
	case "date_of_birth":
		return dayText(value)
	case "phone":
		return intake.FormatPhone(value)
	case "role":
		for _, c := range roleChoices {
			if c.Value == value {
				return c.Label
			}
		}
	}
	return value
}
