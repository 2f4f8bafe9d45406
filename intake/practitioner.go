package intake

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/field"
)

// PractitionerKind says which service a practitioner works in.
type PractitionerKind string

// The two kinds of practitioner.
const (
	Counsellor    PractitionerKind = "counsellor"
	PeerSupporter PractitionerKind = "peer-supporter"
)

// kindFor is the kind of practitioner a service of kind k routes to.
func kindFor(k ServiceType) PractitionerKind {
	if k == PeerSupport {
		return PeerSupporter
	}
	return Counsellor
}

// Practitioner is a counsellor or a peer-support doctor. Peer supporters have a
// contact number, given to callers to text them.
type Practitioner struct {
	ID             string           `bson:"_id" json:"id"`
	Name           string           `bson:"name" json:"name"`
	Kind           PractitionerKind `bson:"kind" json:"kind"`
	Phone          string           `bson:"phone,omitempty" json:"phone,omitempty"`
	Active         bool             `bson:"active" json:"active"`
	WeeklyCapacity int              `bson:"weekly_capacity" json:"weekly_capacity"`
	// AccountEmail is the staff account (role peer) through which a peer
	// supporter sees their own callers and records conversations; optional.
	AccountEmail string `bson:"account_email,omitempty" json:"account_email,omitempty"`
	// RoutedWeek and Routed count contacts routed in one ISO week ("2026-W48");
	// a count for an earlier week means none yet this week.
	RoutedWeek string `bson:"routed_week,omitempty" json:"-"`
	Routed     int    `bson:"routed,omitempty" json:"-"`
}

// PractitionerDetails are the fields an admin edits.
type PractitionerDetails struct {
	Name           string           `form:"name" validate:"required,max=200"`
	Kind           PractitionerKind `form:"kind" validate:"required,oneof=counsellor peer-supporter"`
	Phone          string           `form:"phone" validate:"required_if=Kind peer-supporter,max=30"`
	Active         bool             `form:"active"`
	WeeklyCapacity int              `form:"weekly_capacity" validate:"min=0,max=200"`
	AccountEmail   string           `form:"account_email" validate:"omitempty,email,max=254"`
}

func (d *PractitionerDetails) check() (string, error) {
	d.Name = strings.TrimSpace(d.Name)
	var fields field.Errors
	if err := validate.Struct(d); err != nil {
		fields = fieldErrors(err)
	}
	phone := ""
	if d.Phone != "" {
		p, ok := NormalisePhone(d.Phone)
		if !ok {
			fields.Add("phone", "Enter a phone number, like 07700 900123")
		}
		phone = p
	}
	return phone, fields.Err()
}

// AddPractitioner records a new practitioner.
func (s *Store) AddPractitioner(ctx context.Context, d PractitionerDetails) (Practitioner, error) {
	phone, err := d.check()
	if err != nil {
		return Practitioner{}, err
	}
	p := Practitioner{ID: newID(), Name: d.Name, Kind: d.Kind, Phone: phone, Active: d.Active, WeeklyCapacity: d.WeeklyCapacity,
		AccountEmail: normaliseEmail(d.AccountEmail)}
	if _, err := s.coll(collPractitioners).InsertOne(ctx, p); err != nil {
		return Practitioner{}, fmt.Errorf("add practitioner: %w", err)
	}
	return p, nil
}

// UpdatePractitioner replaces a practitioner's details, keeping this week's count.
func (s *Store) UpdatePractitioner(ctx context.Context, id string, d PractitionerDetails) (Practitioner, error) {
	phone, err := d.check()
	if err != nil {
		return Practitioner{}, err
	}
	res, err := s.coll(collPractitioners).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: d.Name}, {Key: "kind", Value: d.Kind}, {Key: "phone", Value: phone},
		{Key: "active", Value: d.Active}, {Key: "weekly_capacity", Value: d.WeeklyCapacity},
		{Key: "account_email", Value: normaliseEmail(d.AccountEmail)},
	}}})
	if err != nil {
		return Practitioner{}, fmt.Errorf("update practitioner: %w", err)
	}
	if res.MatchedCount == 0 {
		return Practitioner{}, ErrNotFound
	}
	return s.Practitioner(ctx, id)
}

// SetPractitionerActive starts or stops routing callers to a practitioner.
func (s *Store) SetPractitionerActive(ctx context.Context, id string, active bool) error {
	res, err := s.coll(collPractitioners).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "active", Value: active}}}})
	if err != nil {
		return fmt.Errorf("set practitioner active: %w", err)
	}
	if res.MatchedCount == 0 {
		return ErrNotFound
	}
	return nil
}

// RemovePractitioner deletes a practitioner. Past contacts keep the name they
// were routed to.
func (s *Store) RemovePractitioner(ctx context.Context, id string) error {
	res, err := s.coll(collPractitioners).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("remove practitioner: %w", err)
	}
	if res.DeletedCount == 0 {
		return ErrNotFound
	}
	return nil
}

// Practitioner returns one practitioner.
func (s *Store) Practitioner(ctx context.Context, id string) (Practitioner, error) {
	var p Practitioner
	return p, s.findByID(ctx, collPractitioners, id, &p)
}

// Practitioners lists practitioners of one kind (all kinds when kind is empty),
// by name. The collection is small: one document per practitioner.
func (s *Store) Practitioners(ctx context.Context, kind PractitionerKind) ([]Practitioner, error) {
	filter := bson.D{}
	if kind != "" {
		filter = bson.D{{Key: "kind", Value: kind}}
	}
	cur, err := s.coll(collPractitioners).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list practitioners: %w", err)
	}
	var ps []Practitioner
	if err := cur.All(ctx, &ps); err != nil {
		return nil, fmt.Errorf("list practitioners: %w", err)
	}
	return ps, nil
}

// Unstaffed lists the kinds of practitioner of which none is active: callers
// of the services that route to them cannot be routed (a caller at risk is
// recorded all the same). On a fresh install it is both.
func (s *Store) Unstaffed(ctx context.Context) ([]PractitionerKind, error) {
	ps, err := s.Practitioners(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []PractitionerKind
	for _, k := range []PractitionerKind{Counsellor, PeerSupporter} {
		if !slices.ContainsFunc(ps, func(p Practitioner) bool { return p.Kind == k && p.Active }) {
			out = append(out, k)
		}
	}
	return out, nil
}
