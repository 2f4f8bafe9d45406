package intakepages

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Intake contacts: the one form a call handler fills in while talking to a
// caller, the contact it opens (who the caller was routed to, and why), and
// closing it, which may queue the survey text.

var (
	channelChoices = []web.Choice{{Value: string(intake.Phone), Label: "Phone"}, {Value: string(intake.Video), Label: "Video"},
		{Value: string(intake.LiveChat), Label: "Live chat"}, {Value: string(intake.Email), Label: "E-mail"}}
	roleChoices = []web.Choice{{Value: string(intake.Doctor), Label: "Doctor"}, {Value: string(intake.MedicalStudent), Label: "Medical student"},
		{Value: string(intake.Partner), Label: "Partner of a doctor or medical student"},
		{Value: string(intake.Dependant), Label: "Dependant of a doctor or medical student"}, {Value: string(intake.Other), Label: "None of these"}}
	languageChoices = []web.Choice{{Value: string(intake.English), Label: "English"}, {Value: string(intake.Welsh), Label: "Cymraeg (Welsh)"}}
	riskChoices     = []web.Choice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}
	postcodeChoices = []web.Choice{{Value: "", Label: "A postcode is given above"},
		{Value: "refused", Label: "The caller refused to give it"}, {Value: "unknown", Label: "The caller does not know it"}}
)

// contactFormPage is the new-contact form, blank, pre-filled for a returning
// caller, or shown again with problems or a refusal.
type contactFormPage struct {
	web.Page
	Form     web.Values
	Problems field.Errors
	// Refusal says which rule stops the service helping, and where to go instead.
	Refusal *intake.Refusal
	// Unrouted is set when no practitioner of the kind needed is active.
	Unrouted string
	// Returning is the confirmed record of a returning caller.
	Returning *intake.Person
	// Matches are likely existing records of this caller (same date of
	// birth, similar name, any phone): attach to one, or say they are new.
	Matches []intake.Person
	// Differences are the details the form gives differently from the
	// returning caller's record: the handler chooses, per detail, which to keep.
	Differences []intake.DetailChange
	MaxSessions int
	// RiskAnswered: the first question, immediate risk, has been answered, so
	// the rest of the form is shown (with the guidance first when yes).
	RiskAnswered bool
	// Kind is the kind of the service chosen at the first step, for a caller
	// not at risk: the form then asks only that service's questions. Empty:
	// every service's questions, the service among them (at risk, or when the
	// first step was skipped).
	Kind string
	// FirstServices are the services offered at the first step.
	FirstServices                                           []web.Choice
	Services, Channels, Roles, RiskChoices, PostcodeChoices []web.Choice
	Languages                                               []web.Choice
	Ethnicities, Genders, Specialties                       []intake.Option
	// ServiceKinds is the kind of each service, by name: its section of the form.
	ServiceKinds map[string]string
	// EmailInvitations: survey invitations can go by e-mail, so the form asks.
	EmailInvitations bool
	// RefusableDetails are the details a caller at risk may refuse (the
	// postcode has its own question).
	RefusableDetails []web.Choice
	// Unstaffed names, when no practitioner of a kind is active, who must be
	// added before callers of that kind can be routed.
	Unstaffed []intake.PractitionerKind
}

// NewContactForm is GET /intake/contacts/new. It asks first whether the caller
// is at immediate risk (?risk=yes|no); once answered it shows the emergency
// guidance, when yes, above the rest of the form, pre-filled for a returning
// caller when ?person= names their record.
func (s *Pages) NewContactForm(c fiber.Ctx) error {
	form := url.Values{}
	var returning *intake.Person
	if id := web.Query(c, "person"); id != "" {
		p, err := s.intake.Person(c.Context(), id)
		if err != nil {
			return fmt.Errorf("new contact: %w", err)
		}
		if err := s.staff.Audit(c, actionPersonViewed, p.ID); err != nil {
			return err
		}
		returning = &p
		form = url.Values{"person_id": {p.ID}, "name": {p.Name}, "date_of_birth": {p.DateOfBirth}, "role": {string(p.Role)},
			"phone": {intake.FormatPhone(p.Phone)}, "email": {p.Email}, "postcode": {p.Postcode}, "organisation": {p.Organisation},
			"address": {p.Address}, "job_role": {p.JobRole}, "ethnicity": {p.Ethnicity}, "gender": {p.Gender},
			"specialty": {p.Specialty}, "member_id": {p.MemberID}, "member_details": {p.MemberDetails}}
	}
	if dob := form.Get("date_of_birth"); dob != "" {
		d, m, y := intake.SplitDate(dob)
		form.Set("date_of_birth-day", d)
		form.Set("date_of_birth-month", m)
		form.Set("date_of_birth-year", y)
	}
	if member := web.Query(c, "member"); member != "" {
		form.Set("member_id", member)
	}
	page := contactFormPage{Form: web.Values(form), Returning: returning}
	risk, service, asked := web.Query(c, "risk"), web.Query(c, "service"), web.Query(c, "asked") != ""
	if service != "" {
		form.Set("service", service)
	}
	if risk == "yes" || risk == "no" {
		form.Set("risk", risk)
	}
	// The first step: immediate risk, then (not at risk) the service, whose
	// questions alone the form then asks. At risk nothing more is needed.
	switch _, known := s.intake.Services.Kind(intake.ServiceType(service)); {
	case asked && risk != "yes" && risk != "no":
		page.Problems.Add("risk", "Select yes if the caller is at immediate risk")
	case asked && risk == "no" && service == "":
		page.Problems.Add("service", "Select the service the caller is asking for")
	case service != "" && !known:
		page.Problems.Add("service", "Select one of the services listed")
	}
	if page.Problems != nil {
		return s.renderContactForm(c, fiber.StatusUnprocessableEntity, page)
	}
	// ?first=1 goes back to the first step with its answers (changing the service).
	page.RiskAnswered = (risk == "yes" || risk == "no") && web.Query(c, "first") == ""
	return s.renderContactForm(c, fiber.StatusOK, page)
}

func (s *Pages) renderContactForm(c fiber.Ctx, status int, p contactFormPage) error {
	p.Page = s.staff.Page(c, "New contact")
	p.Invalid = p.Problems != nil
	p.MaxSessions = intake.MaxCounsellingSessions
	p.Services, p.Channels, p.Roles = serviceChoices(s.intake.Services), channelChoices, roleChoices
	p.FirstServices = p.Services
	if kind, ok := s.intake.Services.Kind(intake.ServiceType(p.Form.Text("service"))); ok && p.RiskAnswered && p.Form.Has("risk", "no") {
		p.Kind = string(kind)
	}
	if p.Form.Has("risk", "yes") {
		p.Services = append(p.Services, web.Choice{Value: intake.CrisisOnly, Label: "Crisis support only: route to no one, count no session"})
		p.RefusableDetails = refusableDetails
	}
	var err error
	if p.Unstaffed, err = s.intake.Unstaffed(c.Context()); err != nil {
		return err
	}
	p.ServiceKinds = map[string]string{}
	for _, v := range s.intake.Services.All() {
		p.ServiceKinds[string(v.Type)] = string(v.Kind)
	}
	p.RiskChoices, p.PostcodeChoices, p.Languages = riskChoices, postcodeChoices, languageChoices
	p.EmailInvitations = s.intake.EmailInvitations()
	p.Ethnicities, p.Genders, p.Specialties = intake.Ethnicities, intake.Genders, intake.Specialties
	return s.site.Render(c, status, s.templates, "contact_new", p)
}

// serviceChoices are the configured services, by title; a service added to the
// built-ins says whose rules it follows, so the handler knows which details to ask.
func serviceChoices(services *intake.Services) []web.Choice {
	var out []web.Choice
	for _, v := range services.All() {
		label := v.Title
		if v.Kind != v.Type {
			label += " (as " + strings.ToLower(map[intake.ServiceType]string{intake.Counselling: "Counselling", intake.PeerSupport: "Peer support"}[v.Kind]) + ")"
		}
		out = append(out, web.Choice{Value: string(v.Type), Label: label})
	}
	return out
}

// newContactFrom reads the form into the domain's one intake form.
func newContactFrom(form url.Values) intake.NewContact {
	return intake.NewContact{
		PersonID: form.Get("person_id"), NewPerson: form.Get("new_person") == web.Checked,
		Service: intake.ServiceType(form.Get("service")), Channel: intake.Channel(form.Get("channel")), Role: intake.Role(form.Get("role")),
		SameCounsellor: form.Get("same_counsellor") == web.Checked, Risk: form.Get("risk") == web.Checked,
		FeedbackAgreed: form.Get("feedback_agreed") == web.Checked, EmailAgreed: form.Get("email_agreed") == web.Checked,
		NeutralText: form.Get("neutral_text") == web.Checked,
		Name:        form.Get("name"), DateOfBirth: form.Get("date_of_birth"), Phone: form.Get("phone"), Email: form.Get("email"),
		Ethnicity: form.Get("ethnicity"), Gender: form.Get("gender"), Specialty: form.Get("specialty"),
		MemberID: form.Get("member_id"), MemberDetails: form.Get("member_details"), Language: form.Get("language"),
		DOBDay: form.Get("date_of_birth-day"), DOBMonth: form.Get("date_of_birth-month"), DOBYear: form.Get("date_of_birth-year"),
		Refused:  form["refused"],
		Postcode: form.Get("postcode"), PostcodeMissing: form.Get("postcode_missing"), Organisation: form.Get("organisation"), Address: form.Get("address"), JobRole: form.Get("job_role"),
		Keep: keepChoices(form),
	}
}

// keepChoices are the handler's choices about a returning caller's details
// that differ from the record ("keep_name": "stored" or "new").
func keepChoices(form url.Values) map[string]string {
	keep := map[string]string{}
	for name, v := range form {
		if detail, ok := strings.CutPrefix(name, "keep_"); ok && len(v) > 0 {
			keep[detail] = v[0]
		}
	}
	return keep
}

// NewContactSubmit opens a contact, or shows the form again with what stops it:
// problems per field, a refusal naming the rule, or no one to route to.
func (s *Pages) NewContactSubmit(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	n := newContactFrom(form)
	opened, err := s.intake.OpenContact(c.Context(), n)
	again := contactFormPage{Form: web.Values(form), RiskAnswered: true}
	if n.PersonID != "" && err != nil {
		// Shown again, the form names the returning caller's record: a view.
		if p, perr := s.intake.Person(c.Context(), n.PersonID); perr == nil {
			if aerr := s.staff.Audit(c, actionPersonViewed, p.ID); aerr != nil {
				return aerr
			}
			again.Returning = &p
		}
	}
	var refusal *intake.Refusal
	var matches *intake.PossibleMatches
	var differ *intake.DetailsDiffer
	switch {
	case errors.As(err, &differ):
		again.Differences = differ.Changes
		return s.renderContactForm(c, fiber.StatusConflict, again)
	case errors.As(err, &matches):
		for _, p := range matches.People {
			if err := s.staff.Audit(c, actionPersonFound, p.ID); err != nil {
				return err
			}
		}
		again.Matches = matches.People
		return s.renderContactForm(c, fiber.StatusConflict, again)
	case errors.As(err, &refusal):
		again.Refusal = refusal
		return s.renderContactForm(c, fiber.StatusUnprocessableEntity, again)
	case err != nil:
		return web.ShowAgain(fmt.Errorf("open contact: %w", err), s.unrouted(n.Service), func(a web.Again) error {
			// A problem with the form as a whole is linked from the summary to its first field.
			again.Problems = a.Problems.Renamed(func(f string) string { return cmp.Or(f, "service") })
			again.Unrouted = a.Notice
			return s.renderContactForm(c, a.Status, again)
		})
	}
	if err := s.auditOpened(c, opened.Contact, opened.Person.ID); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/intake/contacts/" + url.PathEscape(opened.Contact.ID))
}

// unrouted words the refusal to open a contact no practitioner can take.
func (s *Pages) unrouted(service intake.ServiceType) web.Answers {
	kind, _ := s.intake.Services.Kind(service)
	who := map[intake.ServiceType]string{intake.Counselling: "counsellor", intake.PeerSupport: "peer supporter"}[kind]
	return web.Answers{{Is: intake.ErrNoPractitioner, Status: fiber.StatusConflict,
		Message: "There is no active " + who + " to route this caller to. Ask an administrator to activate one, then try again."}}
}

// auditOpened records a risk flag, a refused caller recorded because at risk,
// and a change to a returning caller's record (target: the person).
func (s *Pages) auditOpened(c fiber.Ctx, ct intake.Contact, person string) error {
	if len(ct.Changed) > 0 {
		if err := s.staff.Audit(c, actionPersonChanged, person); err != nil {
			return err
		}
	}
	if ct.Risk {
		if err := s.staff.Audit(c, actionRiskFlagged, ct.ID); err != nil {
			return err
		}
	}
	if ct.Refusal != nil {
		return s.staff.Audit(c, actionRefusedAtRisk, ct.ID)
	}
	return nil
}

// contactPage is one contact: who the caller was routed to and why, the
// emergency guidance when risk was flagged, and closing it.
type contactPage struct {
	web.Page
	Contact intake.Contact
	Person  intake.Person
	// PeerPhone is the number the caller is given to text their peer supporter.
	PeerPhone   string
	MaxSessions int
	Form        web.Values
	Problems    field.Errors
	Notice      string
	// SurveyText says in words what closing did about the survey text.
	SurveyText string
	// SurveyLink is a one-off survey link just made, shown this once.
	SurveyLink string
	// CanGiveLink: the caller agreed to feedback but could get no text.
	CanGiveLink bool
	// NoTextChoices: the survey text as agreed, or none and why (closing).
	NoTextChoices []web.Choice
	// PeerView: a peer supporter's view of their own caller (no closing, no
	// risk actions); Base is where the page's forms post ("/intake" or "/peer").
	PeerView bool
	Base     string
	// OtherRecords are likely earlier records of a caller at risk, whose
	// contact was opened without the usual check: an admin can merge them.
	OtherRecords []intake.Person
	// Safety is the patient-safety concern, shown on the peer supporter's view only.
	Safety       *intake.SafetyConcern
	SafetyAction string
	SafetySteps  []web.Choice
	YesNo        []web.Choice
}

// Contact is GET /intake/contacts/{id}.
func (s *Pages) Contact(c fiber.Ctx) error {
	return s.renderContact(c, fiber.StatusOK, contactPage{})
}

// renderContact loads the contact named in the path and its person, audits the
// view, and shows it.
func (s *Pages) renderContact(c fiber.Ctx, status int, p contactPage) error {
	ct, person, err := s.contactAndPerson(c)
	if err != nil {
		return fmt.Errorf("show contact: %w", err)
	}
	if err := s.staff.Audit(c, actionPersonViewed, person.ID); err != nil {
		return err
	}
	if ct.Peer != nil {
		if pr, err := s.intake.Practitioner(c.Context(), ct.PractitionerID); err == nil {
			p.PeerPhone = pr.Phone
		}
	}
	p.Page = s.staff.Page(c, "Contact")
	if p.Base == "" {
		p.Base = "/intake"
	}
	if p.PeerView {
		if err := s.loadSafety(c, &p, ct.ID); err != nil {
			return err
		}
	} else if ct.Risk && ct.ClosedAt == nil {
		if p.OtherRecords, err = s.otherRecords(c, person); err != nil {
			return err
		}
	}
	p.Invalid = p.Problems != nil
	p.Contact, p.Person, p.MaxSessions = ct, person, intake.MaxCounsellingSessions
	settings, err := s.intake.Settings(c.Context())
	if err != nil {
		return fmt.Errorf("show contact: %w", err)
	}
	until := untilText(s.intake)
	when := surveyWhen{Days: settings.TextIntervalDays, PeerOn: until(s.intake.PeerSurveyDue(ct))}
	if person.LastTextedAt != nil {
		when.NextFrom = until(person.LastTextedAt.Add(settings.TextInterval()))
	}
	p.SurveyText, p.NoTextChoices = surveyTextWording(ct, when), noTextChoices
	p.CanGiveLink = s.links != nil && intake.CanGiveSurveyLink(ct)
	return s.site.Render(c, status, s.templates, "contact", p)
}

// contactAndPerson loads the contact named in the path and its person.
func (s *Pages) contactAndPerson(c fiber.Ctx) (ct intake.Contact, person intake.Person, err error) {
	if ct, err = s.intake.Contact(c.Context(), web.Param(c, "id")); err == nil {
		person, err = s.intake.Person(c.Context(), ct.PersonID)
	}
	return ct, person, err
}

// CloseContact records the outcome and ends the contact; the contact page then
// says what happened about the survey text.
func (s *Pages) CloseContact(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	id := web.Param(c, "id")
	closed, err := s.intake.Close(c.Context(), id, intake.Closing{Outcome: form.Get("outcome"), Emergency: form.Get("emergency") == web.Checked,
		NoText: intake.NoTextReason(form.Get("no_text"))})
	if err != nil {
		return s.contactAgain(c, fmt.Errorf("close contact: %w", err), form, closeRefusals)
	}
	if closed.Emergency {
		if err := s.staff.Audit(c, actionEmergency, id); err != nil {
			return err
		}
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/intake/contacts/" + url.PathEscape(id))
}

// Risk is POST /intake/contacts/{id}/risk: flag=yes sets the immediate-risk
// flag on an open contact, flag=no records that the risk has passed. Audited.
func (s *Pages) Risk(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	id, action := web.Param(c, "id"), actionRiskResolved
	if form.Get("flag") == "yes" {
		_, err = s.intake.FlagRisk(c.Context(), id)
		action = actionRiskFlagged
	} else {
		_, err = s.intake.ResolveRisk(c.Context(), id)
	}
	if err != nil {
		return s.contactAgain(c, fmt.Errorf("risk flag: %w", err), nil, riskRefusals)
	}
	if err := s.staff.Audit(c, action, id); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/intake/contacts/" + url.PathEscape(id))
}

// Refusals of a change to a contact, shown above the contact again.
var (
	closeRefusals = web.Answers{
		{Is: intake.ErrAlreadyClosed, Status: fiber.StatusConflict, Message: "This contact had already been closed; nothing was changed."},
	}
	riskRefusals = web.Answers{
		{Is: intake.ErrAlreadyClosed, Status: fiber.StatusConflict, Message: riskUnchanged},
		{Is: intake.ErrRiskNotOpen, Status: fiber.StatusConflict, Message: riskUnchanged},
	}
)

const riskUnchanged = "Nothing was changed: the contact is closed, or its risk flag is not open."

// contactAgain shows the contact again after a refused change: the form's
// problems beside its fields, or a refusal of refusals as the notice.
func (s *Pages) contactAgain(c fiber.Ctx, err error, form url.Values, refusals web.Answers) error {
	return web.ShowAgain(err, refusals, func(a web.Again) error {
		p := contactPage{Problems: a.Problems, Notice: a.Notice}
		if a.Problems != nil {
			p.Form = web.Values(form)
		}
		return s.renderContact(c, a.Status, p)
	})
}

// otherRecords are the likely records of person other than their own, each audited.
func (s *Pages) otherRecords(c fiber.Ctx, person intake.Person) ([]intake.Person, error) {
	likely, err := s.intake.LikelyMatches(c.Context(), person.Name, person.DateOfBirth)
	if err != nil {
		return nil, fmt.Errorf("show contact: %w", err)
	}
	var out []intake.Person
	for _, p := range likely {
		if p.ID == person.ID {
			continue
		}
		if err := s.staff.Audit(c, actionPersonFound, p.ID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
