package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/field"
)

// SurveyTextStatus says what closing a contact did about the survey
// invitation, by text or, when the caller chose it, by e-mail.
type SurveyTextStatus string

// What closing a contact can do about the survey text.
const (
	// TextQueued: the caller agreed and a text is in the outbox.
	TextQueued SurveyTextStatus = "queued"
	// TextNotAgreed: the caller did not agree to a feedback text.
	TextNotAgreed SurveyTextStatus = "not-agreed"
	// TextNoMobile: no number that can receive a text was recorded.
	TextNoMobile SurveyTextStatus = "no-mobile"
	// TextRecentlySent: the person had a survey text in the last 30 days.
	TextRecentlySent SurveyTextStatus = "texted-recently"
	// TextEmergency: emergency services were called; no text follows an emergency.
	TextEmergency SurveyTextStatus = "emergency"
	// TextRiskOpen: the caller's immediate-risk flag was still open.
	TextRiskOpen SurveyTextStatus = "risk-open"
	// TextRefused: the service could not help the caller (recorded because at risk).
	TextRefused SurveyTextStatus = "refused"
	// TextNoService: a crisis contact, or one whose service is not known, has no survey.
	TextNoService SurveyTextStatus = "no-service"
	// TextWithheld: the handler chose no survey text for this contact, giving a reason.
	TextWithheld SurveyTextStatus = "withheld"
)

// Closing is what a handler records when a contact ends.
type Closing struct {
	Outcome string
	// Emergency: emergency services (999, an ambulance, the police) were called.
	Emergency bool
	// NoText, when set, is why the handler chose no survey text for this
	// contact, whatever the caller agreed.
	NoText NoTextReason
}

// emergencyWords in an outcome mark it an emergency even when the box was not
// ticked: a survey text after an ambulance is never right, a missed one is.
var emergencyWords = []string{"999", "ambulance", "emergency services", "police", "a&e"}

func (cl Closing) emergency() bool {
	o := strings.ToLower(cl.Outcome)
	for _, w := range emergencyWords {
		if strings.Contains(o, w) {
			return true
		}
	}
	return cl.Emergency
}

// ErrAlreadyClosed is returned when a contact is closed a second time.
var ErrAlreadyClosed = errors.New("contact already closed")

// MaxOutcome is the longest outcome note a call handler can record, in characters.
const MaxOutcome = 1000

// check is the rule for closing: an outcome note is required, at most
// MaxOutcome characters (spaces around it do not count), and a reason for no
// survey text is one of NoTextReasons.
func (cl Closing) check(outcome string) error {
	var problems field.Errors
	switch {
	case outcome == "":
		problems.Add("outcome", "Enter the outcome of the contact")
	case utf8.RuneCountInString(outcome) > MaxOutcome:
		problems.Add("outcome", fmt.Sprintf("The outcome must be %d characters or fewer", MaxOutcome))
	}
	if !cl.NoText.valid() {
		problems.Add(NoTextField, "Select whether the survey text goes, and if not, why not")
	}
	return problems.Err()
}

// CloseContact records the outcome and ends a contact. When the caller agreed to
// a feedback text, has a mobile number, and has not had a survey text in the
// last 30 days, it queues one text; a contact is closed, and so queued, once.
// An outcome that is empty or too long is refused with field.Errors.
func (s *Store) CloseContact(ctx context.Context, id, outcome string) (Contact, error) {
	return s.Close(ctx, id, Closing{Outcome: outcome})
}

// Close is CloseContact with everything a handler records at the end. No text
// is queued after an emergency, while the contact's risk flag is open, or for a
// caller the service refused.
func (s *Store) Close(ctx context.Context, id string, cl Closing) (Contact, error) {
	outcome := strings.TrimSpace(cl.Outcome)
	if err := cl.check(outcome); err != nil {
		return Contact{}, err
	}
	c, err := s.Contact(ctx, id)
	if err != nil {
		return Contact{}, fmt.Errorf("close contact: %w", err)
	}
	if c.ClosedAt != nil {
		return c, ErrAlreadyClosed
	}
	now := s.now()
	c.Emergency, c.NoText = cl.emergency(), cl.NoText
	p, err := s.Person(ctx, c.PersonID)
	if err != nil {
		return Contact{}, fmt.Errorf("close contact: person %w", err)
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return Contact{}, fmt.Errorf("close contact: %w", err)
	}
	status := textStatus(c, p, now, s.invitationByEmail(c, p), settings.TextInterval())
	res, err := s.coll(collContacts).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "closed_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "closed_at", Value: now}, {Key: "outcome", Value: outcome},
			{Key: "survey_text", Value: status}, {Key: "emergency", Value: c.Emergency}, {Key: "no_text", Value: c.NoText}}}})
	if err != nil {
		return Contact{}, fmt.Errorf("close contact: %w", err)
	}
	if res.MatchedCount == 0 {
		return c, ErrAlreadyClosed
	}
	c.ClosedAt, c.Outcome, c.SurveyText = &now, outcome, status
	switch status {
	case TextQueued, TextEmailQueued:
		return c, s.queueText(ctx, c, p, now, now)
	case TextAfterConversation, TextEmailAfterConversation:
		return c, s.queueText(ctx, c, p, now, s.peerTextDue(c, now))
	}
	return c, nil
}

// textStatus decides the survey text for a closing contact; byEmail: the
// invitation goes by e-mail instead; interval: the least time between two.
// Safety comes first: an emergency, an open risk flag or a refusal means no
// invitation whatever the caller agreed; then the handler's choice of none.
// Complexity: one rule a line, in the order they win; split, the order would no longer show.
func textStatus(c Contact, p Person, now time.Time, byEmail bool, interval time.Duration) SurveyTextStatus {
	switch {
	case c.Emergency:
		return TextEmergency
	case c.RiskOpen() || len(p.RiskOpen) > 0:
		return TextRiskOpen
	case c.Refusal != nil:
		return TextRefused
	case c.Service == "":
		return TextNoService
	case c.NoText != "":
		return TextWithheld
	case !c.FeedbackAgreed && c.EmailAgreed && !byEmail:
		return TextEmailUnavailable
	case !c.FeedbackAgreed && !byEmail:
		return TextNotAgreed
	case !byEmail && !canReceiveText(p.Phone):
		return TextNoMobile
	case p.LastTextedAt != nil && now.Sub(*p.LastTextedAt) < interval:
		return TextRecentlySent
	case c.Peer != nil && byEmail:
		return TextEmailAfterConversation
	case c.Peer != nil:
		return TextAfterConversation
	case byEmail:
		return TextEmailQueued
	default:
		return TextQueued
	}
}

// invitationByEmail: the caller agreed to the survey invitation by e-mail, an
// address is recorded, and invitations can go by e-mail.
func (s *Store) invitationByEmail(c Contact, p Person) bool {
	return c.EmailAgreed && p.Email != "" && s.EmailInvitations()
}
