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
// once, whichever instance gets there first).
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
// published, with a link to its board pack (baseURL + path). It returns the
// month announced and how many notices were sent; "" when there was nothing
// new. A notice that fails is logged and not retried: the figures are on
// the dashboards either way.
func (d *Dashboards) AnnouncePublication(ctx context.Context, m Mailer, baseURL string) (string, int, error) {
	r := LastMonths(d.now(), 1)
	published, err := publishedMonths(ctx, d.db, d.now())
	if err != nil {
		return "", 0, err
	}
	if !published(r.To) {
		return "", 0, nil
	}
	_, err = d.db.Collection(noticesCollection).InsertOne(ctx, bson.D{{Key: "_id", Value: r.To}})
	if store.IsDuplicateKey(err) {
		return "", 0, nil // announced before
	}
	if err != nil {
		return "", 0, fmt.Errorf("record publication notice: %w", err)
	}
	subs, err := d.subscribers(ctx)
	if err != nil {
		return r.To, 0, err
	}
	link := baseURL + "/dashboards/board-pack?from=" + r.To + "&to=" + r.To
	sent := 0
	for _, to := range subs {
		if err := m.SendPublished(ctx, to, monthName(r.To), link); err != nil {
			d.log.Error("send publication notice", "month", r.To, "err", err)
			continue
		}
		sent++
	}
	return r.To, sent, nil
}
