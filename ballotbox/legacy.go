package ballotbox

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/survey"
)

// Boxes made before the keyring were sealed under a key derived from the
// sealing secret and a salt in the box's document, so whoever held the data
// directory (where sealing.key lived by default) and the database could open
// them. Reseal moves such a box under the keyring: it gives the box a key
// pair, then mixes every hour of it (not only the closed ones) into a new
// generation sealed to the public key, and only then deletes the salt. Run at
// start-up by the keyring's holder, before it serves; a reseal cut short is
// finished by the next (a box with both a public key and a salt is resealed
// again, harmlessly).

// Reseal reseals every box still sealed with the sealing secret; it returns
// the boxes resealed.
func (r *Releaser) Reseal(ctx context.Context) ([]string, error) {
	r.busy.Lock()
	defer r.busy.Unlock()
	pending, err := PendingBoxes(ctx, r.db)
	if err != nil {
		return nil, err
	}
	held, err := r.lease(ctx)
	if err != nil {
		return nil, err
	}
	if !held {
		return nil, ErrLeaseHeld
	}
	defer r.unlease()
	var done []string
	for _, box := range pending {
		doc, err := r.boxes.read(ctx, box)
		if err != nil || doc.Salt == nil {
			continue
		}
		if _, err := r.boxes.publicKey(ctx, box, false); err != nil {
			return done, err
		}
		if _, err := r.mix(ctx, box, true); err != nil {
			return done, fmt.Errorf("reseal %s: %w", box, err)
		}
		_, err = r.db.Collection(boxesCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: box}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "salt", Value: ""}}}})
		if err != nil {
			return done, fmt.Errorf("reseal %s: %w", box, err)
		}
		done = append(done, box)
	}
	return done, nil
}

// PrepareBoxes makes this month's box and next month's ahead of time, so an
// instance without the keyring always finds a public key to seal to and no
// submission waits for a key pair at midnight; and it destroys any key the
// keyring still holds of a month whose box is gone (a release cut short
// between the two). Run by the keyring's holder at start-up and hourly.
func (r *Releaser) PrepareBoxes(ctx context.Context) error {
	now := r.opts.Now()
	for _, m := range []string{survey.Month(now), survey.Month(time.Date(now.UTC().Year(), now.UTC().Month()+1, 1, 0, 0, 0, 0, time.UTC))} {
		if _, err := r.boxes.publicKey(ctx, m, true); err != nil {
			return err
		}
	}
	months, err := r.opts.Sealer.ring.Months()
	if err != nil {
		return err
	}
	for _, m := range months {
		if m >= survey.Month(now) {
			continue
		}
		if _, err := r.boxes.read(ctx, m); err == errNoBox {
			if err := r.opts.Sealer.ring.destroy(m); err != nil {
				return err
			}
		}
	}
	return nil
}
