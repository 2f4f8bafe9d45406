package invitation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Database is the database that holds spent marks, apart from the survey
// database: its write history is not the survey's.
const Database = "feedback_invitations"

// spentPrefix starts the name of each month's collection of spent marks, by
// the codes' expiry month: invitations_spent_2026_12.
const spentPrefix = "invitations_spent_"

const spentMonthLayout = "2006_01"

// Store spends codes: it remembers, under a keyed hash, each code accepted.
// It is safe for concurrent use, and across instances sharing a database.
type Store struct {
	codes *Codes
	db    *mongo.Database
}

// NewStore returns a Store keeping spent marks in db (normally [Database]).
func NewStore(db *mongo.Database, codes *Codes) *Store {
	return &Store{codes: codes, db: db}
}

// Spend verifies code and marks it spent, returning what it says. A code is
// accepted once: a second Spend, from this instance or another, gets [ErrUsed].
// Invalid and expired codes are refused before anything is written.
//
// The spent mark is a document with only an _id (a keyed hash of the code): no
// time, no service, nothing that leads to the form it was exchanged for. The
// unique _id catches a second spend without a read: on the embedded store no
// query uses an index, but a duplicate insert is refused in half a millisecond.
func (s *Store) Spend(ctx context.Context, code string) (Invitation, error) {
	inv, err := s.codes.Verify(code)
	if err != nil {
		return inv, err
	}
	return inv, s.markSpent(ctx, inv)
}

// SpendFor is Spend for a page that serves one service: another service's code
// is refused as invalid, and not spent.
func (s *Store) SpendFor(ctx context.Context, service, code string) (Invitation, error) {
	inv, err := s.codes.VerifyFor(service, code)
	if err != nil {
		return inv, err
	}
	return inv, s.markSpent(ctx, inv)
}

func (s *Store) markSpent(ctx context.Context, inv Invitation) error {
	coll := s.db.Collection(spentCollection(inv.Expires))
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: s.codes.spentID(inv)}})
	if mongo.IsDuplicateKeyError(err) {
		return ErrUsed
	}
	if err != nil {
		return fmt.Errorf("spend invitation: %w", err)
	}
	return nil
}

func spentCollection(expires time.Time) string {
	return spentPrefix + expires.UTC().Format(spentMonthLayout)
}

// Purge drops each month's spent marks once every code in it has expired: such
// codes are refused as expired before their mark is looked for, so the marks
// are no longer needed. A day's grace covers instances whose clocks differ.
// It returns the collections dropped.
func (s *Store) Purge(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("purge spent invitations: list collections: %w", err)
	}
	var dropped []string
	now := s.codes.now().UTC()
	for _, name := range names {
		month, ok := strings.CutPrefix(name, spentPrefix)
		if !ok {
			continue
		}
		start, err := time.Parse(spentMonthLayout, month)
		if err != nil {
			continue // not one of ours
		}
		// The month's last codes expire at the end of its last day; add a day's grace.
		if now.Before(start.AddDate(0, 1, 1)) {
			continue
		}
		if err := s.db.Collection(name).Drop(ctx); err != nil {
			return dropped, fmt.Errorf("purge spent invitations: drop %s: %w", name, err)
		}
		dropped = append(dropped, name)
	}
	return dropped, nil
}

// SpendAll spends many codes at once, codes[i] for services[i]: one insert
// per month's collection, so a batch of submissions costs one write. errs[i]
// is nil when codes[i] was good and unspent and is spent now; ErrInvalid,
// ErrExpired or ErrUsed otherwise. err means the store could not be reached:
// whether any code was spent is then unknown, and the caller must not count
// any as accepted.
func (s *Store) SpendAll(ctx context.Context, services, codes []string) (errs []error, err error) {
	errs = make([]error, len(codes))
	type mark struct {
		index int
		id    string
	}
	byColl := map[string][]mark{}
	for i, code := range codes {
		inv, err := s.codes.VerifyFor(services[i], code)
		if err != nil {
			errs[i] = err
			continue
		}
		coll := spentCollection(inv.Expires)
		byColl[coll] = append(byColl[coll], mark{i, s.codes.spentID(inv)})
	}
	for coll, marks := range byColl {
		ids := make([]string, len(marks))
		for j, m := range marks {
			ids[j] = m.id
		}
		used, err := insertMarks(ctx, s.db.Collection(coll), ids)
		if err != nil {
			return nil, fmt.Errorf("spend invitations: %w", err)
		}
		for j, u := range used {
			if u {
				errs[marks[j].index] = ErrUsed
			}
		}
	}
	return errs, nil
}

// insertMarks inserts one document per id, with the id alone, in one
// unordered insert; used[i] says ids[i] was there already (a duplicate key).
// Any other failure is an error, and then which ids were inserted is unknown.
func insertMarks(ctx context.Context, coll *mongo.Collection, ids []string) (used []bool, err error) {
	docs := make([]any, len(ids))
	for i, id := range ids {
		docs[i] = bson.D{{Key: "_id", Value: id}}
	}
	used = make([]bool, len(ids))
	_, err = coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return used, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, err
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(ids) {
			continue
		}
		if we.Code != 11000 {
			return nil, fmt.Errorf("write error code %d", we.Code)
		}
		used[we.Index] = true
	}
	return used, nil
}
