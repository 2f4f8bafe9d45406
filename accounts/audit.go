package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Action is what an audit entry records.
type Action string

// The actions audited. Entries never hold passwords, session IDs or client
// addresses.
const (
	ActionSignIn          Action = "sign_in"
	ActionSignInFailed    Action = "sign_in_failed"
	ActionSignOut         Action = "sign_out"
	ActionUserAdded       Action = "user_added"
	ActionUserDisabled    Action = "user_disabled"
	ActionUserEnabled     Action = "user_enabled"
	ActionPasswordSet     Action = "password_set"     // by an admin or the command line
	ActionPasswordChanged Action = "password_changed" // by the account holder
	ActionAdminCreated    Action = "admin_created"    // first run, or restored
	ActionRolesSet        Action = "roles_set"        // an account's roles replaced
)

// Actors that are not a person.
const (
	ActorSystem = "system" // the service itself, e.g. a failed sign-in or the first-run admin
	ActorCLI    = "cli"    // the feedback users command
)

// AuditEntry is one event in the audit log: who did what to whom, and when.
type AuditEntry struct {
	At     time.Time
	Actor  string
	Action Action
	Target string
	// Reason is a fixed phrase for failures, e.g. "wrong password"; never free text.
	Reason string
}

// The log is one collection per month, "audit_2026_11": the embedded store scans
// a collection to sort it, so a page read touches one or two small collections
// rather than years of history, and old months can be dropped whole.
const (
	auditPrefix      = "audit_"
	auditMonthLayout = "2006_01"
	// DefaultAuditPageSize is the page size when none is given; MaxAuditPageSize the largest.
	DefaultAuditPageSize = 50
	MaxAuditPageSize     = 500
)

type auditDoc struct {
	ID     bson.ObjectID `bson:"_id"`
	At     time.Time     `bson:"at"`
	Actor  string        `bson:"actor"`
	Action Action        `bson:"action"`
	Target string        `bson:"target,omitempty"`
	Reason string        `bson:"reason,omitempty"`
}

func auditCollection(t time.Time) string { return auditPrefix + t.UTC().Format(auditMonthLayout) }

// Record adds an entry to the audit log at the current time. Other parts of the
// service use it for their own events (exports, practitioner changes).
func (s *Store) Record(ctx context.Context, actor string, action Action, target string) error {
	return s.audit(ctx, actor, action, target, "")
}

func (s *Store) audit(ctx context.Context, actor string, action Action, target, reason string) error {
	now := s.now()
	if err := s.ensureAuditIndex(ctx, now); err != nil {
		return err
	}
	d := auditDoc{ID: bson.NewObjectID(), At: now, Actor: actor, Action: action, Target: target, Reason: reason}
	if _, err := s.db.Collection(auditCollection(now)).InsertOne(ctx, d); err != nil {
		return fmt.Errorf("write audit entry %s: %w", action, err)
	}
	return nil
}

// ensureAuditIndex creates the month's index once per process.
func (s *Store) ensureAuditIndex(ctx context.Context, t time.Time) error {
	name := auditCollection(t)
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	if s.auditIndexed[name] {
		return nil
	}
	_, err := s.db.Collection(name).Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}},
		Options: options.Index().SetName("newest_first"),
	})
	if err != nil {
		return fmt.Errorf("create audit index on %s: %w", name, err)
	}
	s.auditIndexed[name] = true
	return nil
}

// AuditPage is a page of the audit log, newest first.
type AuditPage struct {
	Entries []AuditEntry
	// Next is the cursor for the following, older page; empty on the last page.
	Next string
}

// ReadAudit returns up to limit entries (DefaultAuditPageSize when limit <= 0),
// newest first, starting after cursor ("" for the newest). Cursors are opaque.
func (s *Store) ReadAudit(ctx context.Context, cursor string, limit int) (AuditPage, error) {
	if limit <= 0 {
		limit = DefaultAuditPageSize
	}
	limit = min(limit, MaxAuditPageSize)
	after, err := parseAuditCursor(cursor)
	if err != nil {
		return AuditPage{}, err
	}
	months, err := s.auditMonths(ctx)
	if err != nil {
		return AuditPage{}, err
	}
	var docs []auditDoc
	for _, month := range months {
		if after != nil && month > auditCollection(after.at) {
			continue
		}
		filter := bson.D{}
		if after != nil && month == auditCollection(after.at) {
			filter = after.olderFilter()
		}
		// One more than needed tells whether there is a next page.
		want := limit + 1 - len(docs)
		cur, err := s.db.Collection(month).Find(ctx, filter, options.Find().
			SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).
			SetLimit(int64(want)))
		if err != nil {
			return AuditPage{}, fmt.Errorf("read audit log %s: %w", month, err)
		}
		var page []auditDoc
		if err := cur.All(ctx, &page); err != nil {
			return AuditPage{}, fmt.Errorf("read audit log %s: %w", month, err)
		}
		docs = append(docs, page...)
		if len(docs) > limit {
			break
		}
	}
	var p AuditPage
	if len(docs) > limit {
		docs = docs[:limit]
		last := docs[limit-1]
		p.Next = auditCursor{at: last.At.UTC(), id: last.ID}.String()
	}
	p.Entries = make([]AuditEntry, len(docs))
	for i, d := range docs {
		p.Entries[i] = AuditEntry{At: d.At.UTC(), Actor: d.Actor, Action: d.Action, Target: d.Target, Reason: d.Reason}
	}
	return p, nil
}

// auditMonths lists the month collections, newest first.
func (s *Store) auditMonths(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list audit months: %w", err)
	}
	var months []string
	for _, n := range names {
		if m, ok := strings.CutPrefix(n, auditPrefix); ok {
			if _, err := time.Parse(auditMonthLayout, m); err == nil {
				months = append(months, n)
			}
		}
	}
	// "audit_2026_11" sorts as its month does.
	slices.Sort(months)
	slices.Reverse(months)
	return months, nil
}

// auditCursor is the position of the last entry shown: its time and _id.
type auditCursor struct {
	at time.Time
	id bson.ObjectID
}

func (c auditCursor) String() string {
	return strconv.FormatInt(c.at.UnixMilli(), 10) + "-" + c.id.Hex()
}

// ErrBadCursor means a page cursor given to ReadAudit is not one it made.
var ErrBadCursor = errors.New("audit log: not a valid page cursor")

func parseAuditCursor(s string) (*auditCursor, error) {
	if s == "" {
		return nil, nil
	}
	ms, hex, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil {
		return nil, ErrBadCursor
	}
	id, err := bson.ObjectIDFromHex(hex)
	if err != nil {
		return nil, ErrBadCursor
	}
	return &auditCursor{at: time.UnixMilli(n).UTC(), id: id}, nil
}

// olderFilter matches entries after the cursor in newest-first order.
func (c auditCursor) olderFilter() bson.D {
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: c.at}}}},
		bson.D{{Key: "at", Value: c.at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: c.id}}}},
	}}}
}
