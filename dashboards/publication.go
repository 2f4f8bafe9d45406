package dashboards

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/store"
)

// Publication notices: when a month's figures are published, each quality
// lead who opted in gets an e-mail saying so, with a link — no figure and no
// comment is ever in an e-mail.

// Collections this package owns for notices: who opted in (one small
// document each, _id the e-mail address) and which months were announced
// (_id the month: a unique insert is the check-and-set that announces a month
// once, whichever instance gets there first). A month's notice keeps, per
// recipient, whether their e-mail went (see publication_sends.go).
const (
	subscribersCollection = "publication_subscribers"
	noticesCollection     = "publication_notices"
)

// Mailer sends one publication notice: the month's name and the link only.
type Mailer interface {
	SendPublished(ctx context.Context, to, month, link string) error
}

// Subscribe opts a staff member's e-mail address in to publication notices,
// or out.
func (d *Dashboards) Subscribe(ctx context.Context, email string, on bool) error {
	coll := d.db.Collection(subscribersCollection)
	var err error
	if on {
		_, err = coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: email}}, bson.D{{Key: "$set", Value: bson.D{{Key: "on", Value: true}}}}, options.UpdateOne().SetUpsert(true))
	} else {
		_, err = coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: email}})
	}
	if err != nil {
		return fmt.Errorf("save publication notice choice: %w", err)
	}
	return nil
}

// Subscribed says whether email has opted in.
func (d *Dashboards) Subscribed(ctx context.Context, email string) (bool, error) {
	subs, err := d.subscribers(ctx)
	if err != nil {
		return false, err
	}
	for _, s := range subs {
		if s == email {
			return true, nil
		}
	}
	return false, nil
}

func (d *Dashboards) subscribers(ctx context.Context) ([]string, error) {
	docs, err := readAll(ctx, d.db.Collection(subscribersCollection))
	if err != nil {
		return nil, fmt.Errorf("read publication subscribers: %w", err)
	}
	out := make([]string, 0, len(docs))
	for _, r := range docs {
		out = append(out, r.id)
	}
	return out, nil
}

// AnnouncePublication e-mails every subscriber once when last month is
// published, with a link to its board pack (baseURL + path), and sends again
// the notices of earlier runs that failed (see publication_sends.go). It
// returns the latest month with an e-mail sent in this run and how many were
// sent; "" when none was.
func (d *Dashboards) AnnouncePublication(ctx context.Context, m Mailer, baseURL string) (string, int, error) {
	if err := d.recordNotice(ctx); err != nil {
		return "", 0, err
	}
	return d.sendNotices(ctx, m, baseURL)
}

// recordNotice records last month's notice, once it is published, with one
// pending send per subscriber at that moment; later subscribers get the next
// month's.
func (d *Dashboards) recordNotice(ctx context.Context) error {
	r := LastMonths(d.now(), 1)
	published, err := publishedMonths(ctx, d.db, d.now())
	if err != nil {
		return err
	}
	if !published(r.To) {
		return nil
	}
	subs, err := d.subscribers(ctx)
	if err != nil {
		return err
	}
	to := bson.D{}
	for _, s := range subs {
		to = append(to, bson.E{Key: recipientKey(s), Value: bson.D{{Key: "tries", Value: 0}, {Key: "next", Value: int64(0)}, {Key: "state", Value: ""}}})
	}
	_, err = d.db.Collection(noticesCollection).InsertOne(ctx, bson.D{{Key: "_id", Value: r.To}, {Key: "to", Value: to}, {Key: "lease", Value: int64(0)}})
	if err != nil && !store.IsDuplicateKey(err) { // a duplicate: announced before
		return fmt.Errorf("record publication notice: %w", err)
	}
	return nil
}
