package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/field"
)

// Peer support as it works: the caller is given a peer-support doctor's
// details and texts them; the record follows the relationship (contact made,
// each conversation by date, ended). The survey invitation (a text, or an
// e-mail) waits for the first conversation, or PeerSurveyAfter if none is
// recorded; it is never sent at intake.

// collCaseloads holds one small document per peer supporter listing the
// contacts they support, so a peer account's list is read by _id, never by
// scanning contacts.
const collCaseloads = "peer_caseloads"

// DefaultPeerSurveyAfter is how long after the details were given a peer
// support survey text goes when no conversation has been recorded.
const DefaultPeerSurveyAfter = 14 * 24 * time.Hour

// What closing a peer-support contact does about the survey invitation: it
// waits for the first conversation with the peer supporter to be recorded (or
// PeerSurveyAfter to pass), and then goes by text or, when the caller chose
// it, by e-mail.
const (
	// TextAfterConversation: the survey text waits.
	TextAfterConversation SurveyTextStatus = "after-first-conversation"
	// TextEmailAfterConversation: the survey invitation by e-mail waits.
	TextEmailAfterConversation SurveyTextStatus = "email-after-first-conversation"
)

// ErrPeerEnded is returned when changing a peer-support relationship that has ended.
var ErrPeerEnded = errors.New("peer support has ended")

// ErrNotPeerSupport is returned for peer-support actions on a counselling contact.
var ErrNotPeerSupport = errors.New("not a peer-support contact")

// PeerRelationship is what happened after the caller was given the details.
type PeerRelationship struct {
	DetailsGivenAt time.Time `bson:"details_given_at" json:"details_given_at"`
	// ContactMade is nil until recorded; ContactMadeOn is its date (YYYY-MM-DD).
	ContactMade   *bool          `bson:"contact_made,omitempty" json:"contact_made,omitempty"`
	ContactMadeOn string         `bson:"contact_made_on,omitempty" json:"contact_made_on,omitempty"`
	Conversations []Conversation `bson:"conversations,omitempty" json:"conversations,omitempty"`
	EndedAt       *time.Time     `bson:"ended_at,omitempty" json:"ended_at,omitempty"`
}

// ContactState is "yes", "no", or "" when not yet recorded.
func (r PeerRelationship) ContactState() string {
	switch {
	case r.ContactMade == nil:
		return ""
	case *r.ContactMade:
		return "yes"
	default:
		return "no"
	}
}

// Conversation is one conversation between caller and peer supporter, by date.
type Conversation struct {
	On         string    `bson:"on" json:"on"` // YYYY-MM-DD
	RecordedAt time.Time `bson:"recorded_at" json:"recorded_at"`
}

// peerContact loads a peer-support contact whose relationship is still going.
func (s *Store) peerContact(ctx context.Context, id string) (Contact, error) {
	c, err := s.Contact(ctx, id)
	switch {
	case err != nil:
		return c, err
	case c.Peer == nil:
		return c, ErrNotPeerSupport
	case c.Peer.EndedAt != nil:
		return c, ErrPeerEnded
	}
	return c, nil
}

// checkPeerDate checks a date given for the relationship: a real day, not
// before the details were given and not in the future.
func (s *Store) checkPeerDate(c Contact, day, month, year, what string) (string, error) {
	on, msg := ParseDate(day, month, year, what)
	given := c.Peer.DetailsGivenAt.In(s.Location).Format(time.DateOnly)
	switch {
	case msg != "":
	case on < given:
		msg = what + " must be on or after the day the details were given"
	case on > s.today().Format(time.DateOnly):
		msg = what + " must be today or in the past"
	}
	if msg != "" {
		return "", field.Errors{{Field: "on", Message: msg}}
	}
	return on, nil
}

// RecordContactMade records whether the caller has made contact with the peer
// supporter, and on what day when they have.
func (s *Store) RecordContactMade(ctx context.Context, id string, made bool, day, month, year string) (Contact, error) {
	c, err := s.peerContact(ctx, id)
	if err != nil {
		return c, err
	}
	set := bson.D{{Key: "peer.contact_made", Value: made}}
	if made {
		on, err := s.checkPeerDate(c, day, month, year, "The date contact was made")
		if err != nil {
			return c, err
		}
		set = append(set, bson.E{Key: "peer.contact_made_on", Value: on})
	}
	return c, s.updateContact(ctx, id, bson.D{{Key: "$set", Value: set}})
}

// LogConversation records one conversation on the day given. The first one
// recorded releases the survey invitation (text or e-mail) waiting in the outbox.
func (s *Store) LogConversation(ctx context.Context, id, day, month, year string) (Contact, error) {
	c, err := s.peerContact(ctx, id)
	if err != nil {
		return c, err
	}
	on, err := s.checkPeerDate(c, day, month, year, "The date of the conversation")
	if err != nil {
		return c, err
	}
	now := s.now()
	update := bson.D{{Key: "$push", Value: bson.D{{Key: "peer.conversations", Value: Conversation{On: on, RecordedAt: now}}}}}
	if c.Peer.ContactMade == nil || !*c.Peer.ContactMade {
		update = append(update, bson.E{Key: "$set", Value: bson.D{{Key: "peer.contact_made", Value: true}, {Key: "peer.contact_made_on", Value: on}}})
	}
	if err := s.updateContact(ctx, id, update); err != nil {
		return c, err
	}
	// A text waiting for this conversation is due now (none waits if the
	// caller did not agree, or the contact is not yet closed).
	_, err = s.coll(collOutbox).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: statusPending}, {Key: "attempts", Value: 0}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "next_attempt_at", Value: now}, {Key: "updated_at", Value: now}}}})
	if err != nil {
		return c, fmt.Errorf("release peer survey text: %w", err)
	}
	return c, nil
}

// EndPeerSupport records that the peer-support relationship has ended; it
// leaves the supporter's caseload.
func (s *Store) EndPeerSupport(ctx context.Context, id string) (Contact, error) {
	c, err := s.peerContact(ctx, id)
	if err != nil {
		return c, err
	}
	if err := s.updateContact(ctx, id, bson.D{{Key: "$set", Value: bson.D{{Key: "peer.ended_at", Value: s.now()}}}}); err != nil {
		return c, err
	}
	return c, s.setCaseload(ctx, c.PractitionerID, c.ID, false)
}

func (s *Store) updateContact(ctx context.Context, id string, update bson.D) error {
	if _, err := s.coll(collContacts).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update); err != nil {
		return fmt.Errorf("update contact: %w", err)
	}
	return nil
}

// setCaseload adds a contact to, or takes it from, a peer supporter's caseload.
func (s *Store) setCaseload(ctx context.Context, practitionerID, contactID string, in bool) error {
	op := "$pull"
	if in {
		op = "$addToSet"
	}
	_, err := s.coll(collCaseloads).UpdateOne(ctx, bson.D{{Key: "_id", Value: practitionerID}},
		bson.D{{Key: op, Value: bson.D{{Key: "contact_ids", Value: contactID}}}}, options.UpdateOne().SetUpsert(in))
	if err != nil {
		return fmt.Errorf("peer caseload: %w", err)
	}
	return nil
}

// Caseload returns the contacts a peer supporter is supporting now, each with
// its person, oldest first.
func (s *Store) Caseload(ctx context.Context, practitionerID string) ([]Opened, error) {
	var doc struct {
		ContactIDs []string `bson:"contact_ids"`
	}
	err := s.findByID(ctx, collCaseloads, practitionerID, &doc)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	var out []Opened
	for _, id := range doc.ContactIDs {
		c, err := s.Contact(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // erased
		}
		if err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		p, err := s.Person(ctx, c.PersonID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		out = append(out, Opened{Contact: c, Person: p})
	}
	return out, nil
}

// PractitionerForAccount is the practitioner whose peer account has this
// e-mail address. The practitioners collection is small: one per practitioner.
func (s *Store) PractitionerForAccount(ctx context.Context, email string) (Practitioner, error) {
	var p Practitioner
	err := s.coll(collPractitioners).FindOne(ctx, bson.D{{Key: "account_email", Value: normaliseEmail(email)}}).Decode(&p)
	if errors.Is(err, mongo.ErrNoDocuments) || email == "" {
		return Practitioner{}, ErrNotFound
	}
	if err != nil {
		return Practitioner{}, fmt.Errorf("practitioner for account: %w", err)
	}
	return p, nil
}

// PeerSurveyDue is when a peer-support contact's survey text goes if no
// conversation is recorded: PeerSurveyAfter after the details were given.
func (s *Store) PeerSurveyDue(c Contact) time.Time {
	given := c.OpenedAt
	if c.Peer != nil {
		given = c.Peer.DetailsGivenAt
	}
	return given.Add(s.PeerSurveyAfter)
}

// peerTextDue is when a peer-support contact's survey text goes: now if a
// conversation is recorded, else PeerSurveyAfter after the details were given.
func (s *Store) peerTextDue(c Contact, now time.Time) time.Time {
	if c.Peer != nil && len(c.Peer.Conversations) > 0 {
		return now
	}
	if due := s.PeerSurveyDue(c); due.After(now) {
		return due
	}
	return now
}
