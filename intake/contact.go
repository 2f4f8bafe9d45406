package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/feedback-service/feedback/field"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// MaxCounsellingSessions is how many counselling sessions one person may have,
// counted across every service of the counselling kind (a session of video
// counselling counts as one of counselling).
const MaxCounsellingSessions = 6

// The session-limit rule and where a refused caller can go instead.
const (
	RuleSessionLimit     = "Counselling is limited to six sessions per person."
	SignpostSessionLimit = "Peer support is still available; for longer-term help the caller's GP can refer them, or they can self-refer to NHS Talking Therapies."
)

// Contact is one call, video call, chat or e-mail exchange with the service.
type Contact struct {
	ID       string      `bson:"_id" json:"id"`
	PersonID string      `bson:"person_id" json:"person_id"`
	Service  ServiceType `bson:"service" json:"service"`
	Channel  Channel     `bson:"channel" json:"channel"`
	// PractitionerID and PractitionerName say who the caller was routed to (for
	// peer support, whose name and number the caller was given).
	PractitionerID   string `bson:"practitioner_id" json:"practitioner_id"`
	PractitionerName string `bson:"practitioner_name" json:"practitioner_name"`
	RoutingReason    string `bson:"routing_reason" json:"routing_reason"`
	// Session is the counselling session number, 1 to 6; 0 for peer support.
	Session int `bson:"session,omitempty" json:"session,omitempty"`
	// Risk is the immediate-risk flag; RiskFlaggedAt records when it was set,
	// RiskResolvedAt when the handler recorded that the risk had passed. While
	// a flag is open no survey text goes to the caller.
	Risk           bool       `bson:"risk" json:"risk"`
	RiskFlaggedAt  *time.Time `bson:"risk_flagged_at,omitempty" json:"risk_flagged_at,omitempty"`
	RiskResolvedAt *time.Time `bson:"risk_resolved_at,omitempty" json:"risk_resolved_at,omitempty"`
	// PostcodeMissing is "refused" or "unknown" when a caller at risk gave no postcode.
	PostcodeMissing string `bson:"postcode_missing,omitempty" json:"postcode_missing,omitempty"`
	// Missing lists the details a contact at risk was recorded without; while
	// one is unknown the contact is incomplete (see crisis.go).
	Missing []MissingDetail `bson:"missing,omitempty" json:"missing,omitempty"`
	// Crisis: the handler chose crisis support only; the contact is routed to no one.
	Crisis bool `bson:"crisis,omitempty" json:"crisis,omitempty"`
	// Refusal is set when the service could not help a caller at risk, who is
	// recorded all the same (see OpenContact); such a contact is routed to no one.
	Refusal *Refusal `bson:"refusal,omitempty" json:"refusal,omitempty"`
	// Emergency is set when closing recorded that emergency services were called.
	Emergency bool `bson:"emergency,omitempty" json:"emergency,omitempty"`
	// Language is the survey text's language when not English ("cy": Welsh).
	Language Language `bson:"language,omitempty" json:"language,omitempty"`
	// Peer follows a peer-support relationship after the details were given.
	Peer           *PeerRelationship `bson:"peer,omitempty" json:"peer,omitempty"`
	FeedbackAgreed bool              `bson:"feedback_agreed" json:"feedback_agreed"`
	// EmailAgreed: the caller agreed to the survey invitation by e-mail, instead of a text.
	EmailAgreed bool `bson:"email_agreed,omitempty" json:"email_agreed,omitempty"`
	// NeutralText: the caller shares their phone, so the survey text does not
	// say what the service is (see NeutralSurveyTextIn).
	NeutralText bool `bson:"neutral_text,omitempty" json:"neutral_text,omitempty"`
	// Changed lists the details of a returning caller's record this contact
	// changed, with the stored and the new value (see reconcile.go).
	Changed []DetailChange `bson:"changed,omitempty" json:"changed,omitempty"`
	// NoText is why the handler chose, at closing, no survey text for this contact.
	NoText  NoTextReason `bson:"no_text,omitempty" json:"no_text,omitempty"`
	Outcome string       `bson:"outcome,omitempty" json:"outcome,omitempty"`
	// SurveyText says what became of the survey text when the contact was closed.
	SurveyText SurveyTextStatus `bson:"survey_text,omitempty" json:"survey_text,omitempty"`
	OpenedAt   time.Time        `bson:"opened_at" json:"opened_at"`
	ClosedAt   *time.Time       `bson:"closed_at,omitempty" json:"closed_at,omitempty"`
}

// NewContact is the one intake form: the caller's details and the contact.
// PersonID is set when the handler has confirmed a match from FindPerson.
type NewContact struct {
	PersonID string `form:"person_id"`
	// NewPerson: the handler has seen the likely matches and says the caller
	// is none of them.
	NewPerson bool `form:"new_person"`

	Service ServiceType `form:"service" validate:"required"`
	// CrisisOnly: a caller at risk helped there and then, routed to no one
	// (the form's service answer CrisisOnly).
	CrisisOnly bool `form:"-"`
	// Refused names the details a caller at risk would not give, by field name.
	Refused []string `form:"refused"`
	// missing is what check found unknown or refused, at risk.
	missing []MissingDetail
	// Kind is the built-in kind Service follows, set by OpenContact from
	// Store.Services; the rules below ask it, never the service's name.
	Kind           ServiceType `form:"-"`
	Channel        Channel     `form:"channel" validate:"required,oneof=phone video live-chat email"`
	Role           Role        `form:"role" validate:"required,oneof=doctor medical-student partner dependant other"`
	SameCounsellor bool        `form:"same_counsellor"`
	Risk           bool        `form:"risk"`
	FeedbackAgreed bool        `form:"feedback_agreed"`
	// EmailAgreed: the caller agreed to the survey invitation by e-mail, at
	// Email; emailOn says whether that can be offered (Store.EmailInvitations).
	EmailAgreed bool `form:"email_agreed"`
	emailOn     bool
	// NeutralText: word the survey text neutrally, for a shared phone.
	NeutralText bool `form:"neutral_text"`

	Name        string `form:"name" validate:"required,max=200"`
	DateOfBirth string `form:"date_of_birth" validate:"required,datetime=2006-01-02"`
	// DOBDay, DOBMonth and DOBYear are the date input's boxes; when given, they
	// make DateOfBirth.
	DOBDay, DOBMonth, DOBYear string
	// Counselling needs a phone number or an e-mail address; peer support a phone number.
	Phone    string `form:"phone" validate:"required_if=Kind peer-support,max=30"`
	Email    string `form:"email" validate:"omitempty,email,max=254"`
	Postcode string `form:"postcode" validate:"max=10"`
	// PostcodeMissing is "refused" or "unknown": a caller at risk who gives no
	// postcode can still be logged and routed.
	PostcodeMissing string `form:"postcode_missing" validate:"omitempty,oneof=refused unknown"`
	Organisation    string `form:"organisation" validate:"required_if=Kind counselling,max=200"`
	Address         string `form:"address" validate:"required_if=Kind peer-support,max=500"`
	JobRole         string `form:"job_role" validate:"required_if=Kind peer-support,max=200"`

	// Language is the survey text's language, "en" or "cy"; anything else is English.
	Language string `form:"language"`
	// Keep says, for each detail of a returning caller's record the form gives
	// differently, which to keep (KeepStored or KeepNew), by field name.
	Keep map[string]string `form:"-"`
	// changed is what reconcile changed on the record.
	changed []DetailChange

	// Optional, never blocking: an answer not in the list is dropped.
	Ethnicity string `form:"ethnicity"`
	Gender    string `form:"gender"`
	Specialty string `form:"specialty"`
	// For a partner or dependant: the member's record reference, or their
	// details (name, and doctor or medical student) when they have no record.
	MemberID      string `form:"member_id" validate:"max=40"`
	MemberDetails string `form:"member_details" validate:"max=300"`
}

// check validates the form on the day today (YYYY-MM-DD) and returns the person
// it describes, normalised. The
// immediate-risk flag asks for the postcode, so emergency services can be sent;
// "refused" or "unknown" is an answer too. At risk nothing in the form is
// refused: its problems become missing details (forgive), so the contact can
// always be opened.
func (n *NewContact) check(today string) (Person, time.Time, error) {
	n.tidy()
	if n.Risk && n.Service == CrisisOnly {
		n.Service, n.CrisisOnly = "", true
	}
	fields := n.formErrors(today)
	p := n.person()
	n.checkPhone(&p, &fields)
	if n.Service != "" && n.Kind == "" && fields.For("service") == "" {
		fields.Add("service", "Select one of the services listed")
	}
	if n.Kind == Counselling && n.Phone == "" && n.Email == "" {
		fields.Add("phone", "Enter a phone number or an e-mail address")
	}
	n.checkEmailAgreed(&fields, fields.For("email") != "")
	n.checkPostcode(&p, &fields)
	if n.Risk {
		n.forgive(&p, fields)
		fields = nil
	}
	dob, _ := time.Parse(time.DateOnly, n.DateOfBirth)
	return p, dob, fields.Err()
}

// Opened is the result of opening a contact: the record and the routing the
// handler tells the caller about.
type Opened struct {
	Contact Contact
	Person  Person
	Routing Routing
}

// OpenContact checks the form, the caller's eligibility and (for counselling)
// the session limit, records or updates the person, routes the contact and
// records it. Refusals are *Refusal errors; form problems are field.Errors.
func (s *Store) OpenContact(ctx context.Context, n NewContact) (Opened, error) {
	n.Kind, n.emailOn = s.Services.kindOf(n.Service), s.EmailInvitations()
	p, dob, err := n.check(s.today().Format(time.DateOnly))
	if err != nil {
		return Opened{}, err
	}
	now := s.now()
	p.LastContactAt = now

	var old Person
	if n.PersonID != "" {
		if old, err = s.Person(ctx, n.PersonID); err != nil {
			return Opened{}, fmt.Errorf("open contact: person %w", err)
		}
		if n.changed, err = n.reconcile(&p, old); err != nil {
			return Opened{}, err
		}
		dob, _ = time.Parse(time.DateOnly, p.DateOfBirth)
		n.DateOfBirth, n.Role = p.DateOfBirth, p.Role
	}
	if err := s.checkMember(ctx, &p, n.Risk); err != nil {
		return Opened{}, err
	}
	if err := s.warnOfMatches(ctx, n, p); err != nil {
		return Opened{}, err
	}
	if n.Risk && !n.routable() {
		reason := UnroutedDetails
		if n.CrisisOnly || n.Service == "" {
			reason = UnroutedCrisis
		}
		return s.recordUnrouted(ctx, n, p, old, unrouted{reason: reason, refusal: refusalIfKnown(n, dob, s.today(), old)}, now)
	}
	if refusal := refusalFor(n, dob, s.today(), old); refusal != nil {
		if n.Risk {
			return s.recordUnrouted(ctx, n, p, old, unrouted{refusal: refusal}, now)
		}
		return Opened{}, s.turnAway(ctx, n.Service, turnedAwayReason(refusal), refusal)
	}

	requested := ""
	if n.SameCounsellor && n.Kind == Counselling {
		requested = old.LastCounsellorID
	}
	routing, err := s.Route(ctx, n.Service, requested)
	if errors.Is(err, ErrNoPractitioner) && n.Risk {
		return s.recordUnrouted(ctx, n, p, old, unrouted{reason: noPractitioner(n.Kind)}, now)
	}
	if errors.Is(err, ErrNoPractitioner) {
		return Opened{}, s.turnAway(ctx, n.Service, TurnedAwayNoPractitioner, err)
	}
	if err != nil {
		return Opened{}, err
	}
	if p, err = s.savePerson(ctx, p, old, now); err != nil {
		return Opened{}, err
	}
	return s.recordRouted(ctx, n, p, routing, now)
}

// recordRouted counts a counselling session (a caller at risk refused at the
// count is recorded all the same), counts the routing and the caller's
// answers, starts a peer-support relationship, and records the contact.
func (s *Store) recordRouted(ctx context.Context, n NewContact, p Person, routing Routing, now time.Time) (Opened, error) {
	var err error
	c := n.contact(p.ID, now)
	c.PractitionerID, c.PractitionerName, c.RoutingReason = routing.Practitioner.ID, routing.Practitioner.Name, routing.Reason
	if n.Kind == Counselling {
		var refusal *Refusal
		c.Session, err = s.takeSession(ctx, p.ID, routing.Practitioner.ID)
		if errors.As(err, &refusal) && n.Risk {
			return s.recordUnrouted(ctx, n, p, p, unrouted{refusal: refusal}, now)
		}
		if errors.As(err, &refusal) {
			return Opened{}, s.turnAway(ctx, n.Service, turnedAwayReason(refusal), err)
		}
		if err != nil {
			return Opened{}, err
		}
		p.CounsellingSessions, p.LastCounsellorID = c.Session, routing.Practitioner.ID
	}
	if err := s.countRouted(ctx, routing.Practitioner.ID); err != nil {
		return Opened{}, err
	}
	if err := s.countProfile(ctx, c, p); err != nil {
		return Opened{}, err
	}
	if n.Kind == PeerSupport {
		c.Peer = &PeerRelationship{DetailsGivenAt: now}
		if err := s.setCaseload(ctx, c.PractitionerID, c.ID, true); err != nil {
			return Opened{}, err
		}
	}
	if err := s.insertContact(ctx, c); err != nil {
		return Opened{}, err
	}
	return Opened{Contact: c, Person: p, Routing: routing}, nil
}

// refusalFor is why the service cannot help this caller (eligibility, or a
// returning caller's session limit), or nil.
func refusalFor(n NewContact, dob, today time.Time, old Person) *Refusal {
	if d := Eligibility(n.Role, dob, today); !d.Eligible {
		return d.Refusal
	}
	if n.Kind == Counselling && old.ID != "" && old.CounsellingSessions >= MaxCounsellingSessions {
		return sessionLimit(old.CounsellingSessions)
	}
	return nil
}

// contact is the record of the contact the form describes, not yet routed.
func (n NewContact) contact(personID string, now time.Time) Contact {
	c := Contact{ID: newID(), PersonID: personID, Service: n.Service, Channel: n.Channel,
		Risk: n.Risk, FeedbackAgreed: n.FeedbackAgreed, EmailAgreed: n.EmailAgreed, NeutralText: n.NeutralText, Changed: n.changed, OpenedAt: now}
	if languageOf(n.Language) == Welsh {
		c.Language = Welsh
	}
	if n.Risk {
		c.RiskFlaggedAt, c.PostcodeMissing, c.Missing, c.Crisis = &now, n.PostcodeMissing, n.missing, n.CrisisOnly
	}
	return c
}

// insertContact records a contact, an incomplete one in the list to complete,
// and an open risk flag on its person.
func (s *Store) insertContact(ctx context.Context, c Contact) error {
	if _, err := s.coll(collContacts).InsertOne(ctx, c); err != nil {
		return fmt.Errorf("record contact: %w", err)
	}
	if err := s.listIncomplete(ctx, c); err != nil {
		return err
	}
	if c.Risk {
		return s.setRiskOpen(ctx, c.PersonID, c.ID, true)
	}
	return nil
}

// savePerson records a new caller (old has no ID), or updates a returning
// one's details keeping what the service counts about them, and returns the
// record as stored.
func (s *Store) savePerson(ctx context.Context, p, old Person, now time.Time) (Person, error) {
	if old.ID == "" {
		p.ID, p.CreatedAt = newID(), now
		return p, s.insertPerson(ctx, p)
	}
	p.ID, p.CreatedAt = old.ID, old.CreatedAt
	p.CounsellingSessions, p.LastCounsellorID, p.LastTextedAt = old.CounsellingSessions, old.LastCounsellorID, old.LastTextedAt
	if err := s.updatePerson(ctx, old, p); err != nil {
		return Person{}, err
	}
	return s.Person(ctx, p.ID)
}

func sessionLimit(had int) *Refusal {
	return &Refusal{Rule: RuleSessionLimit, Reason: fmt.Sprintf("The caller has had %d counselling sessions.", had), Signpost: SignpostSessionLimit}
}

// takeSession counts one more counselling session, refusing a seventh. The
// condition is in the update, so two handlers cannot both take the sixth.
func (s *Store) takeSession(ctx context.Context, personID, counsellorID string) (int, error) {
	var after Person
	err := s.coll(collPeople).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: personID}, {Key: "counselling_sessions", Value: bson.D{{Key: "$lt", Value: MaxCounsellingSessions}}}},
		bson.D{
			{Key: "$inc", Value: bson.D{{Key: "counselling_sessions", Value: 1}}},
			{Key: "$set", Value: bson.D{{Key: "last_counsellor_id", Value: counsellorID}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if err == nil {
		return after.CounsellingSessions, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("count session: %w", err)
	}
	return 0, sessionLimit(MaxCounsellingSessions)
}

// Contacts returns a person's contacts, oldest first: their history.
func (s *Store) Contacts(ctx context.Context, personID string) ([]Contact, error) {
	cur, err := s.coll(collContacts).Find(ctx, bson.D{{Key: "person_id", Value: personID}},
		options.Find().SetSort(bson.D{{Key: "opened_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	var cs []Contact
	if err := cur.All(ctx, &cs); err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return cs, nil
}

// Contact returns one contact.
func (s *Store) Contact(ctx context.Context, id string) (Contact, error) {
	var c Contact
	return c, s.findByID(ctx, collContacts, id, &c)
}

// dateOfBirth makes DateOfBirth from the date input's boxes, when they were
// used, and returns what is wrong with it in the date input's words; a date
// after today is wrong.
func (n *NewContact) dateOfBirth(today string) string {
	if n.DOBDay == "" && n.DOBMonth == "" && n.DOBYear == "" {
		if n.DateOfBirth == "" {
			return "Enter the caller's date of birth"
		}
		return ""
	}
	dob, problem := ParseDate(n.DOBDay, n.DOBMonth, n.DOBYear, "Date of birth")
	n.DateOfBirth = dob
	if problem == "" && (dob > today || dob < "1900-01-01") {
		problem = "Date of birth must be in the past, and after 1900"
	}
	return problem
}

// checkEmailAgreed is the rule for an invitation by e-mail: it needs an
// address (badAddress: the address given is already marked), and e-mail
// invitations to be configured; an agreement that cannot be kept is refused,
// never dropped.
func (n *NewContact) checkEmailAgreed(fields *field.Errors, badAddress bool) {
	switch {
	case !n.EmailAgreed:
	case !n.emailOn:
		fields.Add("email_agreed", "Survey invitations by e-mail are not set up: untick this, and offer a text or a one-off link instead")
	case n.Email == "" && !badAddress:
		fields.Add("email", "Enter the caller's e-mail address, to send the survey invitation to")
	}
}
