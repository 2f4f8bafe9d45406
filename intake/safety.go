package intake

import (
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

// A patient-safety concern is the rare case the privacy notice describes: a
// doctor's health seems to put patients at risk. The peer supporter raises it,
// encourages the caller to seek help, takes advice, and only as a last resort
// contacts the GMC. It is kept apart from the contact, in a collection of its
// own keyed by the contact's id, so call handlers (who read contacts) never
// see it: only the supporter and admins do. Subject-access exports include it.

const collSafety = "safety_concerns"

// The steps of a concern, in the order the privacy notice gives them.
const (
	StepEncouraged = "encouraged" // the caller was encouraged to seek help
	StepAdvice     = "advice"     // advice was taken (from whom)
	StepGMC        = "gmc"        // the GMC was, or was not, contacted (date, reason)
	StepClosed     = "closed"     // the concern is closed
)

// ErrNoConcern is returned for a step on a contact with no concern raised.
var ErrNoConcern = errors.New("no patient-safety concern on this contact")

// SafetyConcern is the restricted record of one concern.
type SafetyConcern struct {
	ContactID      string       `bson:"_id" json:"contact_id"`
	PersonID       string       `bson:"person_id" json:"person_id"`
	PractitionerID string       `bson:"practitioner_id" json:"practitioner_id"`
	Concern        string       `bson:"concern" json:"concern"`
	RaisedOn       string       `bson:"raised_on" json:"raised_on"` // YYYY-MM-DD
	RaisedAt       time.Time    `bson:"raised_at" json:"raised_at"`
	Steps          []SafetyStep `bson:"steps,omitempty" json:"steps,omitempty"`
	ClosedAt       *time.Time   `bson:"closed_at,omitempty" json:"closed_at,omitempty"`
}

// SafetyStep is one step taken on a concern.
type SafetyStep struct {
	Kind string `bson:"kind" json:"kind"`
	On   string `bson:"on" json:"on"` // YYYY-MM-DD
	// From is whom advice was taken from; Contacted and Reason say whether the
	// GMC was contacted and why (or why not).
	From       string    `bson:"from,omitempty" json:"from,omitempty"`
	Contacted  bool      `bson:"contacted,omitempty" json:"contacted,omitempty"`
	Reason     string    `bson:"reason,omitempty" json:"reason,omitempty"`
	RecordedAt time.Time `bson:"recorded_at" json:"recorded_at"`
}

// GMCStep is the GMC step, if recorded.
func (c SafetyConcern) GMCStep() *SafetyStep {
	for i := range c.Steps {
		if c.Steps[i].Kind == StepGMC {
			return &c.Steps[i]
		}
	}
	return nil
}

// SafetyForm is a step as a form gives it: the kind, a date as day, month and
// year, and the kind's own fields.
type SafetyForm struct {
	Kind                  string
	Day, Month, Year      string
	Concern, From, Reason string
	GMCContacted          string // "yes" or "no"
}

// SafetyConcern returns the concern raised on a contact, or ErrNotFound.
func (s *Store) SafetyConcern(ctx context.Context, contactID string) (SafetyConcern, error) {
	var c SafetyConcern
	return c, s.findByID(ctx, collSafety, contactID, &c)
}

// SafetyConcerns lists open and closed concerns, newest first. They are rare
// (a handful a year), so the collection stays small; at most limit are read.
func (s *Store) SafetyConcerns(ctx context.Context, limit int64) ([]SafetyConcern, error) {
	cur, err := s.coll(collSafety).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "raised_at", Value: -1}}).SetLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list safety concerns: %w", err)
	}
	var out []SafetyConcern
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list safety concerns: %w", err)
	}
	return out, nil
}

// RaiseConcern records a patient-safety concern on a peer-support contact.
func (s *Store) RaiseConcern(ctx context.Context, contactID string, f SafetyForm) (SafetyConcern, error) {
	c, err := s.Contact(ctx, contactID)
	if err != nil {
		return SafetyConcern{}, err
	}
	if c.Peer == nil {
		return SafetyConcern{}, ErrNotPeerSupport
	}
	concern := strings.TrimSpace(f.Concern)
	on, problems := s.safetyDate(f, "The date the concern was raised")
	if concern == "" {
		problems.Add("concern", "Describe the concern")
	} else if len([]rune(concern)) > MaxOutcome {
		problems.Add("concern", fmt.Sprintf("The concern must be %d characters or fewer", MaxOutcome))
	}
	if err := problems.Err(); err != nil {
		return SafetyConcern{}, err
	}
	sc := SafetyConcern{ContactID: c.ID, PersonID: c.PersonID, PractitionerID: c.PractitionerID,
		Concern: concern, RaisedOn: on, RaisedAt: s.now()}
	if _, err := s.coll(collSafety).InsertOne(ctx, sc); err != nil {
		return SafetyConcern{}, fmt.Errorf("raise safety concern: %w", err)
	}
	return sc, nil
}

// RecordSafetyStep adds a step to the concern on a contact.
func (s *Store) RecordSafetyStep(ctx context.Context, contactID string, f SafetyForm) (SafetyConcern, error) {
	sc, err := s.SafetyConcern(ctx, contactID)
	if errors.Is(err, ErrNotFound) {
		return sc, ErrNoConcern
	}
	if err != nil {
		return sc, err
	}
	if sc.ClosedAt != nil {
		return sc, ErrAlreadyClosed
	}
	step, err := s.safetyStep(f)
	if err != nil {
		return sc, err
	}
	if err := inOrder(sc, step); err != nil {
		return sc, err
	}
	update := bson.D{{Key: "$push", Value: bson.D{{Key: "steps", Value: step}}}}
	if step.Kind == StepClosed {
		update = append(update, bson.E{Key: "$set", Value: bson.D{{Key: "closed_at", Value: step.RecordedAt}}})
	}
	if _, err := s.coll(collSafety).UpdateOne(ctx, bson.D{{Key: "_id", Value: contactID}}, update); err != nil {
		return sc, fmt.Errorf("record safety step: %w", err)
	}
	return s.SafetyConcern(ctx, contactID)
}

// safetyStep checks a step's fields: a date for every step; whom advice came
// from; for the GMC, whether contacted and the reason.
func (s *Store) safetyStep(f SafetyForm) (SafetyStep, error) {
	on, problems := s.safetyDate(f, "The date")
	step := SafetyStep{Kind: f.Kind, On: on, From: strings.TrimSpace(f.From), Reason: strings.TrimSpace(f.Reason), RecordedAt: s.now()}
	switch f.Kind {
	case StepEncouraged, StepClosed:
	case StepAdvice:
		if step.From == "" {
			problems.Add("from", "Enter whom advice was taken from")
		}
	case StepGMC:
		if f.GMCContacted != "yes" && f.GMCContacted != "no" {
			problems.Add("gmc_contacted", "Select whether the GMC was contacted")
		}
		step.Contacted = f.GMCContacted == "yes"
		if step.Reason == "" {
			problems.Add("reason", "Enter the reason")
		}
	default:
		problems.Add("kind", "Choose a step")
	}
	for _, v := range []string{step.From, step.Reason} {
		if len([]rune(v)) > MaxOutcome {
			problems.Add("reason", fmt.Sprintf("Must be %d characters or fewer", MaxOutcome))
		}
	}
	return step, problems.Err()
}

// escalation is the order the privacy notice promises: the caller is
// encouraged to seek help, then advice is taken, and only then may the GMC be
// contacted (or a decision not to, with the reason, be recorded).
var escalation = []string{StepEncouraged, StepAdvice, StepGMC}

// inOrder refuses a step whose earlier steps are not recorded, or dated
// before the last of them; "closed" may come at any point.
func inOrder(sc SafetyConcern, step SafetyStep) error {
	at := slices.Index(escalation, step.Kind)
	if at < 0 {
		return nil
	}
	var problems field.Errors
	for _, before := range escalation[:at] {
		i := slices.IndexFunc(sc.Steps, func(s SafetyStep) bool { return s.Kind == before })
		switch {
		case i < 0:
			problems.Add("kind", fmt.Sprintf("Record first that %s: %s", stepWords[before], escalationRule))
			return problems.Err()
		case sc.Steps[i].On > step.On:
			on, _ := time.Parse(time.DateOnly, sc.Steps[i].On)
			problems.Add("on", fmt.Sprintf("The date must be on or after %s, when %s", on.Format("2 January 2006"), stepWords[before]))
			return problems.Err()
		}
	}
	return nil
}

var stepWords = map[string]string{StepEncouraged: "the caller was encouraged to seek help", StepAdvice: "advice was taken"}

// escalationRule is the order, as a refusal quotes it.
const escalationRule = "the caller is encouraged to seek help, then advice is taken, and only then is the GMC contacted, with the reason."

func (s *Store) safetyDate(f SafetyForm, what string) (string, field.Errors) {
	var problems field.Errors
	on, msg := ParseDate(f.Day, f.Month, f.Year, what)
	if msg == "" && on > s.today().Format(time.DateOnly) {
		msg = what + " must be today or in the past"
	}
	if msg != "" {
		problems.Add("on", msg)
	}
	return on, problems
}
