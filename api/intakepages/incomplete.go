package intakepages

import (
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// The intake home page, the list of contacts recorded at risk with details
// still unknown, and completing them.

// actionDetailsCompleted: details a contact at risk was opened without were recorded (target: the contact).
const actionDetailsCompleted = "contact_details_completed"

type homePage struct {
	web.Page
	Unstaffed  []intake.PractitionerKind
	Incomplete int
}

// Home is GET /intake: where a call handler starts, saying first what must be
// set up (practitioners) before callers can be routed.
func (s *Pages) Home(c fiber.Ctx) error {
	unstaffed, err := s.intake.Unstaffed(c.Context())
	if err != nil {
		return err
	}
	incomplete, err := s.intake.IncompleteContacts(c.Context())
	if err != nil {
		return err
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "intake_home",
		homePage{Page: s.staff.Page(c, "Intake"), Unstaffed: unstaffed, Incomplete: len(incomplete)})
}

type incompleteRow struct {
	Contact intake.Contact
	Person  intake.Person
}

type incompletePage struct {
	web.Page
	Contacts []incompleteRow
}

// IncompleteContacts is GET /intake/contacts/incomplete; each caller listed is audited as found.
func (s *Pages) IncompleteContacts(c fiber.Ctx) error {
	contacts, err := s.intake.IncompleteContacts(c.Context())
	if err != nil {
		return err
	}
	p := incompletePage{Page: s.staff.Page(c, "Incomplete contacts")}
	for _, ct := range contacts {
		person, err := s.intake.Person(c.Context(), ct.PersonID)
		if err != nil {
			return fmt.Errorf("incomplete contacts: %w", err)
		}
		if err := s.staff.Audit(c, actionPersonFound, person.ID); err != nil {
			return err
		}
		p.Contacts = append(p.Contacts, incompleteRow{Contact: ct, Person: person})
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "incomplete", p)
}

type detailsPage struct {
	web.Page
	Contact  intake.Contact
	Person   intake.Person
	Form     web.Values
	Problems field.Errors
	// Asks are the details still to ask, by field.
	Asks                      map[string]bool
	Services, Channels, Roles []web.Choice
	Refusable                 []web.Choice
}

// ContactDetails is GET /intake/contacts/{id}/details: the form for the
// details a contact at risk was opened without.
func (s *Pages) ContactDetails(c fiber.Ctx) error {
	return s.renderDetails(c, fiber.StatusOK, detailsPage{})
}

func (s *Pages) renderDetails(c fiber.Ctx, status int, p detailsPage) error {
	ct, person, err := s.contactAndPerson(c)
	if err != nil {
		return fmt.Errorf("contact details: %w", err)
	}
	if err := s.staff.Audit(c, actionPersonViewed, person.ID); err != nil {
		return err
	}
	p.Page = s.staff.Page(c, "Complete the details")
	p.Invalid = p.Problems != nil
	p.Contact, p.Person, p.Asks = ct, person, map[string]bool{}
	for _, m := range ct.Missing {
		p.Asks[m.Field] = true
		for _, d := range detailChoices {
			if d.Value == m.Field {
				p.Refusable = append(p.Refusable, d)
			}
		}
	}
	p.Services = append(serviceChoices(s.intake.Services), web.Choice{Value: intake.CrisisOnly, Label: "Crisis support only"})
	p.Channels, p.Roles = channelChoices, roleChoices
	return s.site.Render(c, status, s.templates, "contact_details", p)
}

// ContactDetailsSubmit is POST /intake/contacts/{id}/details, audited.
func (s *Pages) ContactDetailsSubmit(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	id := web.Param(c, "id")
	_, err = s.intake.CompleteDetails(c.Context(), id, intake.Details{
		Service: form.Get("service"), Channel: form.Get("channel"), Role: form.Get("role"), Name: form.Get("name"),
		DOBDay: form.Get("date_of_birth-day"), DOBMonth: form.Get("date_of_birth-month"), DOBYear: form.Get("date_of_birth-year"),
		Phone: form.Get("phone"), Email: form.Get("email"), Postcode: form.Get("postcode"),
		Organisation: form.Get("organisation"), Address: form.Get("address"), JobRole: form.Get("job_role"), Refused: form["refused"]})
	if err != nil {
		return web.ShowAgain(fmt.Errorf("contact details: %w", err), nil, func(a web.Again) error {
			return s.renderDetails(c, a.Status, detailsPage{Form: web.Values(form), Problems: a.Problems})
		})
	}
	if err := s.staff.Audit(c, actionDetailsCompleted, id); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/intake/contacts/" + url.PathEscape(id))
}
