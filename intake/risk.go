package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Immediate risk comes first: a caller at risk is always recorded, even when
// the service cannot help them, and no survey text goes to anyone whose risk
// flag is open.

// ErrRiskNotOpen is returned when resolving a risk flag that is not open.
var ErrRiskNotOpen = errors.New("no open risk flag on this contact")

// unrouted is why a contact at risk went to no one: a refusal by the rules
// (age, session limit), in words (reason), or both.
type unrouted struct {
	reason  string
	refusal *Refusal
}

// recordUnrouted records a caller at immediate risk who is routed to no one
// (a crisis contact, details not known, a refusal, no one active): their
// person and a contact holding why, counting no session and no capacity, so
// what was done for them is on record.
func (s *Store) recordUnrouted(ctx context.Context, n NewContact, p, old Person, why unrouted, now time.Time) (Opened, error) {
	p, err := s.savePerson(ctx, p, old, now)
	if err != nil {
		return Opened{}, err
	}
	c := n.contact(p.ID, now)
	c.Refusal, c.RoutingReason = why.refusal, why.reason
	if err := s.insertContact(ctx, c); err != nil {
		return Opened{}, err
	}
	return Opened{Contact: c, Person: p}, nil
}

// refusalIfKnown is refusalFor when the role and date of birth it needs are known.
func refusalIfKnown(n NewContact, dob, today time.Time, old Person) *Refusal {
	if n.Role == "" || n.DateOfBirth == "" {
		return nil
	}
	return refusalFor(n, dob, today, old)
}

// setRiskOpen adds contactID to, or takes it from, the person's open risk
// flags, which the outbox checks before it sends any survey text.
func (s *Store) setRiskOpen(ctx context.Context, personID, contactID string, open bool) error {
	op := "$pull"
	if open {
		op = "$addToSet"
	}
	_, err := s.coll(collPeople).UpdateOne(ctx, bson.D{{Key: "_id", Value: personID}},
		bson.D{{Key: op, Value: bson.D{{Key: "risk_open", Value: contactID}}}})
	if err != nil {
		return fmt.Errorf("risk flag on person: %w", err)
	}
	return nil
}

// FlagRisk sets the immediate-risk flag on an open contact (the risk came to
// light during the call). Flagging a flagged contact changes nothing.
func (s *Store) FlagRisk(ctx context.Context, id string) (Contact, error) {
	c, err := s.Contact(ctx, id)
	if err != nil {
		return Contact{}, err
	}
	if c.ClosedAt != nil {
		return c, ErrAlreadyClosed
	}
	if c.Risk && c.RiskResolvedAt == nil {
		return c, nil
	}
	now := s.now()
	_, err = s.coll(collContacts).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "risk", Value: true}, {Key: "risk_flagged_at", Value: now}}},
			{Key: "$unset", Value: bson.D{{Key: "risk_resolved_at", Value: ""}}}})
	if err != nil {
		return Contact{}, fmt.Errorf("flag risk: %w", err)
	}
	c.Risk, c.RiskFlaggedAt, c.RiskResolvedAt = true, &now, nil
	return c, s.setRiskOpen(ctx, c.PersonID, c.ID, true)
}

// ResolveRisk records that a contact's immediate risk has passed; a survey
// text may then follow when the contact is closed.
func (s *Store) ResolveRisk(ctx context.Context, id string) (Contact, error) {
	c, err := s.Contact(ctx, id)
	if err != nil {
		return Contact{}, err
	}
	if !c.Risk || c.RiskResolvedAt != nil {
		return c, ErrRiskNotOpen
	}
	now := s.now()
	_, err = s.coll(collContacts).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "risk_resolved_at", Value: now}}}})
	if err != nil {
		return Contact{}, fmt.Errorf("resolve risk: %w", err)
	}
	c.RiskResolvedAt = &now
	return c, s.setRiskOpen(ctx, c.PersonID, c.ID, false)
}

// RiskOpen reports whether the contact's immediate-risk flag is set and not resolved.
func (c Contact) RiskOpen() bool { return c.Risk && c.RiskResolvedAt == nil }
