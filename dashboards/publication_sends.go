package dashboards

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/notify"
)

// Publication notices are sent at least once per recipient: a send is marked
// done only after Notify accepted it, and a failed one is tried again on a
// later run of the job, after a growing wait, up to a limit. Notify's 400 (a
// bad address or template) is final. A send that succeeded just before the
// process died may go twice; none is lost for a passing failure.

// Retry rules for a publication notice.
const (
	// NoticeTries is how many times one recipient's notice is tried.
	NoticeTries = 6
	// noticeFirstWait is the wait after the first failure; it doubles after
	// each further failure (1 h, 2 h, 4 h, 8 h, 16 h: a day and a half in all,
	// with the job running hourly).
	noticeFirstWait = time.Hour
	// noticeLease is how long one instance holds a month's sends, so two
	// instances never send the same notice at once; longer than the job's
	// timeout.
	noticeLease = 10 * time.Minute
)

// A recipient's send: pending (""), sent, failed (given up), or dropped
// (they opted out before it went).
const (
	sendSent    = "sent"
	sendFailed  = "failed"
	sendDropped = "dropped"
)

// notice is one month's notice document: its recipients by key (never the
// address: see recipientKey), and the lease of the instance sending it.
type notice struct {
	Month string                   `bson:"_id"`
	To    map[string]recipientSend `bson:"to"`
	Lease int64                    `bson:"lease"`
}

// recipientSend is one recipient's send: tries so far, the earliest time
// (Unix seconds) of the next, and its state.
type recipientSend struct {
	Tries int    `bson:"tries"`
	Next  int64  `bson:"next"`
	State string `bson:"state"`
}

// recipientKey names a recipient in a notice without their address, and as
// a safe field name (letters and digits, no dot).
func recipientKey(email string) string {
	sum := sha256.Sum256([]byte(email))
	return "r" + hex.EncodeToString(sum[:12])
}

// due says whether a recipient's send should be tried at now.
func (r recipientSend) due(now time.Time) bool { return r.State == "" && r.Next <= now.Unix() }

// noticeWait is the wait after a recipient's tries-th failure.
func noticeWait(tries int) time.Duration { return noticeFirstWait << (tries - 1) }

// permanent says whether a send's failure will not go away by itself:
// Notify refused the request as invalid (HTTP 400).
func permanent(err error) bool {
	var ne *notify.Error
	return errors.As(err, &ne) && ne.Status == http.StatusBadRequest
}

// sendNotices sends every notice due, month by month, and returns the
// latest month with a notice sent and how many were.
func (d *Dashboards) sendNotices(ctx context.Context, m Mailer, baseURL string) (string, int, error) {
	notices, err := d.notices(ctx)
	if err != nil {
		return "", 0, err
	}
	var addresses map[string]string // by recipient key, read once if anything is due
	month, sent := "", 0
	for _, n := range notices {
		if !n.anyDue(d.now()) {
			continue
		}
		if addresses == nil {
			if addresses, err = d.subscriberKeys(ctx); err != nil {
				return month, sent, err
			}
		}
		k, err := d.sendNotice(ctx, m, baseURL, n, addresses)
		if k > 0 {
			month, sent = n.Month, sent+k
		}
		if err != nil {
			return month, sent, err
		}
	}
	return month, sent, nil
}

func (n *notice) anyDue(now time.Time) bool {
	for _, r := range n.To {
		if r.due(now) {
			return true
		}
	}
	return false
}

// notices reads the notice documents (one a month: a small collection),
// oldest month first.
func (d *Dashboards) notices(ctx context.Context) ([]*notice, error) {
	cur, err := d.db.Collection(noticesCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read publication notices: %w", err)
	}
	var out []*notice
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read publication notices: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out, nil
}

// subscriberKeys maps each subscriber's recipient key to their address.
func (d *Dashboards) subscriberKeys(ctx context.Context) (map[string]string, error) {
	subs, err := d.subscribers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(subs))
	for _, s := range subs {
		out[recipientKey(s)] = s
	}
	return out, nil
}

// sendNotice sends one month's due notices under its lease, recording each
// recipient's outcome as it comes, and returns how many were sent.
func (d *Dashboards) sendNotice(ctx context.Context, m Mailer, baseURL string, n *notice, addresses map[string]string) (int, error) {
	held, err := d.takeLease(ctx, n.Month)
	if err != nil || !held {
		return 0, err
	}
	defer d.releaseLease(n.Month)
	link := baseURL + "/dashboards/board-pack?from=" + n.Month + "&to=" + n.Month
	keys := make([]string, 0, len(n.To))
	for k := range n.To {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sent := 0
	for _, k := range keys {
		r := n.To[k]
		if !r.due(d.now()) {
			continue
		}
		ok, err := d.sendOne(ctx, m, n.Month, link, k, r, addresses)
		if ok {
			sent++
		}
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// sendOne tries one recipient's notice and records the outcome; it returns
// whether the e-mail went, and an error only when the store failed. Logs
// name the month and the try, never the address.
func (d *Dashboards) sendOne(ctx context.Context, m Mailer, month, link, key string, r recipientSend, addresses map[string]string) (bool, error) {
	to, ok := addresses[key]
	if !ok {
		return false, d.setSend(ctx, month, key, recipientSend{Tries: r.Tries, State: sendDropped})
	}
	err := m.SendPublished(ctx, to, monthName(month), link)
	if err == nil {
		return true, d.setSend(ctx, month, key, recipientSend{Tries: r.Tries + 1, State: sendSent})
	}
	r.Tries++
	switch {
	case permanent(err) || r.Tries >= NoticeTries:
		r.State = sendFailed
		d.log.Error("publication notice not sent; giving up", "month", month, "try", r.Tries, "err", err)
	default:
		r.Next = d.now().Add(noticeWait(r.Tries)).Unix()
		d.log.Warn("publication notice not sent; will try again", "month", month, "try", r.Tries, "retry_after", noticeWait(r.Tries).String(), "err", err)
	}
	return false, d.setSend(ctx, month, key, r)
}

// setSend records one recipient's send.
func (d *Dashboards) setSend(ctx context.Context, month, key string, r recipientSend) error {
	_, err := d.db.Collection(noticesCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: month}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "to." + key, Value: bson.D{{Key: "tries", Value: r.Tries}, {Key: "next", Value: r.Next}, {Key: "state", Value: r.State}}}}}})
	if err != nil {
		return fmt.Errorf("record publication notice send: %w", err)
	}
	return nil
}

// takeLease holds a month's sends for this instance, unless another holds
// them: a conditional update is the check-and-set.
func (d *Dashboards) takeLease(ctx context.Context, month string) (bool, error) {
	now := d.now()
	err := d.db.Collection(noticesCollection).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: month}, {Key: "lease", Value: bson.D{{Key: "$lte", Value: now.Unix()}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lease", Value: now.Add(noticeLease).Unix()}}}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("hold publication notice: %w", err)
	}
	return true, nil
}

// releaseLease lets the next run (of any instance) send this month's notices
// again, even if ctx has ended.
func (d *Dashboards) releaseLease(month string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := d.db.Collection(noticesCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: month}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lease", Value: int64(0)}}}})
	if err != nil {
		d.log.Error("release publication notice", "month", month, "err", err)
	}
}
