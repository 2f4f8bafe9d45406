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

// SurveyTextStatus says what closing a contact did about the survey text.
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
)

// TextInterval is the least time between two survey texts to one person.
const TextInterval = 30 * 24 * time.Hour

// ErrAlreadyClosed is returned when a contact is closed a second time.
var ErrAlreadyClosed = errors.New("contact already closed")

// MaxOutcome is the longest outcome note a call handler can record, in characters.
const MaxOutcome = 1000

// checkOutcome is the rule for an outcome note: required, at most MaxOutcome
// characters (spaces around it do not count).
func checkOutcome(outcome string) error {
	var problems field.Errors
	switch {
	case outcome == "":
		problems.Add("outcome", "Enter the outcome of the contact")
	case utf8.RuneCountInString(outcome) > MaxOutcome:
		problems.Add("outcome", fmt.Sprintf("The outcome must be %d characters or fewer", MaxOutcome))
	}
	return problems.Err()
}

// CloseContact records the outcome and ends a contact. When the caller agreed to
// a feedback text, has a mobile number, and has not had a survey text in the
// last 30 days, it queues one text; a contact is closed, and so queued, once.
// An outcome that is empty or too long is refused with field.Errors.
func (s *Store) CloseContact(ctx context.Context, id, outcome string) (Contact, error) {
	outcome = strings.TrimSpace(outcome)
	if err := checkOutcome(outcome); err != nil {
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
	status := TextNotAgreed
	var p Person
	if c.FeedbackAgreed {
		if p, err = s.Person(ctx, c.PersonID); err != nil {
			return Contact{}, fmt.Errorf("close contact: person %w", err)
		}
		status = textStatus(p, now)
	}
	res, err := s.coll(collContacts).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "closed_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "closed_at", Value: now}, {Key: "outcome", Value: outcome}, {Key: "survey_text", Value: status}}}})
	if err != nil {
		return Contact{}, fmt.Errorf("close contact: %w", err)
	}
	if res.MatchedCount == 0 {
		return c, ErrAlreadyClosed
	}
	c.ClosedAt, c.Outcome, c.SurveyText = &now, outcome, status
	if status == TextQueued {
		if err := s.queueText(ctx, c, p.Phone, now); err != nil {
			return c, err
		}
	}
	return c, nil
}

func textStatus(p Person, now time.Time) SurveyTextStatus {
	switch {
	case !canReceiveText(p.Phone):
		return TextNoMobile
	case p.LastTextedAt != nil && now.Sub(*p.LastTextedAt) < TextInterval:
		return TextRecentlySent
	default:
		return TextQueued
	}
}
