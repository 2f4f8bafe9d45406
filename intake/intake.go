// Package intake holds identities: the people who contact the service, their
// contacts, the practitioners they are routed to, and the outbox of post-call
// survey texts. It lives behind a privacy wall: it never imports the survey or
// dashboard packages, and the only thing it publishes is a count of invitations
// per service type and day, through the InvitationCounter it is given.
package intake

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Database is the default name of the database that holds intake records. It is
// separate from the survey database and may live on another server
// (INTAKE_MONGODB_URI); the caller passes the *mongo.Database it chose.
const Database = "feedback_intake"

// Collections owned by this package.
const (
	collPractitioners = "practitioners"
	collPeople        = "people"
	collPersonKeys    = "person_keys"
	collContacts      = "contacts"
	collOutbox        = "outbox"
)

// ServiceType is the kind of help a contact is about. It is the only
// description of a contact that crosses to the survey side.
type ServiceType string

// The two services.
const (
	Counselling ServiceType = "counselling"
	PeerSupport ServiceType = "peer-support"
)

// Valid reports whether s is one of the two built-in services, the kinds;
// whether a service is configured is Store.Services' to say.
func (s ServiceType) Valid() bool { return s == Counselling || s == PeerSupport }

// Channel is how the caller reached the service.
type Channel string

// The channels of contact.
const (
	Phone    Channel = "phone"
	Video    Channel = "video"
	LiveChat Channel = "live-chat"
	Email    Channel = "email"
)

// ErrNotFound is returned when a person, contact or practitioner does not exist.
var ErrNotFound = errors.New("not found")

// Store reads and writes intake records in one MongoDB database.
type Store struct {
	db *mongo.Database

	// Now returns the current time (New's clock); tests may replace it.
	Now func() time.Time
	// Location is where calendar days and ISO weeks are counted (ages, weekly
	// capacity). Defaults to Europe/London, or UTC when the zone database is missing.
	Location *time.Location
	// Retention is how long people and contacts are kept after their last
	// contact (the privacy notice says 20 years).
	Retention time.Duration
	// PeerSurveyAfter is when a peer-support survey text goes, counted from
	// when the details were given, if no conversation has been recorded.
	PeerSurveyAfter time.Duration
	// Services are the service types a contact may be for, each with the
	// built-in kind whose rules it follows. Defaults to the built-ins.
	Services *Services

	// emailInvitations is set by Outbox.UseEmail: contacts may ask for the
	// survey invitation by e-mail.
	emailInvitations atomic.Bool
}

// DefaultRetention is the retention period stated in the privacy notice.
const DefaultRetention = 20 * 365 * 24 * time.Hour

// New returns a Store on db (normally the database named Database) that reads
// the time from now.
func New(db *mongo.Database, now func() time.Time) *Store {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		loc = time.UTC
	}
	if now == nil {
		panic("intake.New: no clock")
	}
	services, _ := NewServices(BuiltInServices)
	return &Store{db: db, Now: now, Location: loc, Retention: DefaultRetention, PeerSurveyAfter: DefaultPeerSurveyAfter, Services: services}
}

// now is the current time at the precision MongoDB keeps (milliseconds).
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// today is the current calendar day where the service counts days.
func (s *Store) today() time.Time {
	y, m, d := s.Now().In(s.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Store) coll(name string) *mongo.Collection { return s.db.Collection(name) }

// newID returns a random identifier that says nothing about when or where a
// record was made.
func newID() string { return rand.Text() }

// findByID loads the document with _id id into v. Equality on _id alone is the
// one filter the embedded store answers without decoding every document.
func (s *Store) findByID(ctx context.Context, coll, id string, v any) error {
	err := s.coll(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(v)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("find %s: %w", coll, err)
	}
	return nil
}

// HoldsPeople says whether any person is on record (a read of one document).
func (s *Store) HoldsPeople(ctx context.Context) (bool, error) {
	cur, err := s.db.Collection(collPeople).Find(ctx, bson.D{}, options.Find().SetLimit(1))
	if err != nil {
		return false, fmt.Errorf("look for people: %w", err)
	}
	defer cur.Close(ctx)
	return cur.Next(ctx), cur.Err()
}
