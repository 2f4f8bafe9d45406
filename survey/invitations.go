package survey

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
)

// invitationsCollection holds the monthly invitation counts, which the
// dashboards read (ReadInvitationCounts) for response rates.
const invitationsCollection = "invitations"

// InvitationCounts counts survey texts sent, for response rates. Only a monthly
// total per service is kept — coarser than the day intake reports, which is
// safer — in the survey database:
//
//	{_id: "counselling|2026-11", service: "counselling", month: "2026-11", n: 412}
type InvitationCounts struct {
	coll *mongo.Collection
}

// InvitationCount is one service's invitations in one month, as stored.
type InvitationCount struct {
	Service string `bson:"service"`
	Month   string `bson:"month"`
	N       int64  `bson:"n"`
}

// NewInvitationCounts returns the invitation counts kept in the survey database db.
func NewInvitationCounts(db *mongo.Database) *InvitationCounts {
	return &InvitationCounts{coll: db.Collection(invitationsCollection)}
}

// CountInvitation adds one survey text sent for service on day (YYYY-MM-DD) to
// that month's total. It is what intake's outbox calls, through intake's own
// one-method interface.
func (i *InvitationCounts) CountInvitation(ctx context.Context, service string, day string) error {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil || t.Format(time.DateOnly) != day {
		return fmt.Errorf("count invitation: day %q is not YYYY-MM-DD", day)
	}
	return i.Add(ctx, service, Month(t), 1)
}

// Add adds n invitations to a month's total with one upsert (the demo adds a
// month's at once).
func (i *InvitationCounts) Add(ctx context.Context, service, month string, n int64) error {
	if !ValidService(service) {
		return fmt.Errorf("count invitation: %q is not a service type", service)
	}
	var err error
	// Two instances creating the same month's document at once: the loser's
	// upsert fails on the unique _id, and succeeds as an update when sent again.
	for try := 0; try < 3; try++ {
		_, err = i.coll.UpdateOne(ctx,
			bson.D{{Key: "_id", Value: service + "|" + month}},
			bson.D{
				{Key: "$inc", Value: bson.D{{Key: "n", Value: n}}},
				{Key: "$setOnInsert", Value: bson.D{{Key: "service", Value: service}, {Key: "month", Value: month}}},
			},
			options.UpdateOne().SetUpsert(true))
		if !store.IsDuplicateKey(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("count invitation: %w", err)
	}
	return nil
}

// ReadInvitationCounts reads the invitation counts of the months keep
// accepts, in _id order; the collection holds one small document per service
// and month, so it is read whole.
func ReadInvitationCounts(ctx context.Context, db *mongo.Database, keep func(month string) bool) ([]Stored[InvitationCount], error) {
	raws, err := readWhole(ctx, db.Collection(invitationsCollection))
	if err != nil {
		return nil, fmt.Errorf("read invitation counts: %w", err)
	}
	var out []Stored[InvitationCount]
	for _, raw := range raws {
		var inv InvitationCount
		if err := bson.Unmarshal(raw, &inv); err != nil {
			return nil, fmt.Errorf("decode invitation count %q: %w", idOf(raw), err)
		}
		if keep(inv.Month) {
			out = append(out, Stored[InvitationCount]{Doc: inv, Raw: raw})
		}
	}
	return out, nil
}
