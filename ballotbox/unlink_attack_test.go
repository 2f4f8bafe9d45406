package ballotbox_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// The attacker holds every write to the survey and invitation databases with
// its time (what an oplog keeps) and the SMS gateway's log of which code went
// to whom and when. Verified answers still cannot be joined to invitations:
// no value written for an invitation appears in any survey write, no code
// appears anywhere, and the responses are written in an order unrelated to
// the order the invitations were spent.
func TestUnlinkAttack_NoValueOrOrderJoinsAVerifiedResponseToItsInvitation(t *testing.T) {
	c := clocktest.New(onCalendar(time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)))
	rec, client := recordedStore(t, c)
	db := client.Database(store.SurveyDatabase)
	cat, _ := survey.LoadEmbedded()
	sealer := newSealer(t)
	codes, err := invitation.New(ballotbox.NewSecret(), invitation.Config{BaseURL: "https://feedback.example.org", Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	spent := invitation.NewStore(client.Database(invitation.Database), codes)
	responses := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer, Invitations: spent})
	t.Cleanup(responses.Close)
	ctx := context.Background()
	def, _ := cat.Get("counselling")

	// 200 people are texted an invitation, a few hours apart; each opens it a
	// few minutes later and answers a few minutes after that.
	var gateway []string // the codes, in the order they were sent and spent
	for i := range 200 {
		c.Set(c.Now().Add(3 * time.Hour))
		code, err := codes.Mint("counselling")
		if err != nil {
			t.Fatal(err)
		}
		gateway = append(gateway, code)
		c.Set(c.Now().Add(4 * time.Minute)) // the link is opened: a form, nothing spent
		nonce, err := responses.Keys().Issue(ctx, "counselling")
		if err != nil {
			t.Fatal(err)
		}
		c.Set(c.Now().Add(2 * time.Minute)) // the answers are sent: the invitation is spent
		a := survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: fmt.Sprintf("said mk%03dz%03d", 0, i)}}
		if _, err := responses.SubmitInvited(ctx, def, nonce, code, a); err != nil {
			t.Fatal(err)
		}
	}
	c.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, OpenK: 10, OpenByMonth: true, Now: c.Now, Responses: responses})
	if err != nil {
		t.Fatal(err)
	}
	rec.setReleasing(true)
	if reps, err := rel.ReleaseDue(ctx); err != nil || len(reps) != 1 || reps[0].Responses != 200 {
		t.Fatalf("release: %+v %v", reps, err)
	}
	if n, _ := db.Collection("responses").CountDocuments(ctx, bson.D{{Key: "verified", Value: true}}); n != 200 {
		t.Fatalf("%d verified responses, want 200", n)
	}
	rec.setReleasing(false)

	// Every value the invitation side wrote, and every code the gateway saw.
	var invitationValues [][]byte
	for _, w := range rec.writes {
		if w.collection == "" || !bytes.HasPrefix([]byte(w.collection), []byte("invitations_spent_")) {
			continue
		}
		for _, d := range w.docs {
			if id, ok := d.Lookup("_id").StringValueOK(); ok {
				invitationValues = append(invitationValues, []byte(id))
			}
			if len(d) > 0 && len(mustElements(t, d)) != 1 {
				t.Errorf("a spent mark holds more than its _id: %s", d)
			}
		}
	}
	if len(invitationValues) != 200 {
		t.Fatalf("%d spent marks recorded, want 200", len(invitationValues))
	}
	for _, code := range gateway {
		invitationValues = append(invitationValues, []byte(code))
	}
	var order []arrival
	byMarker := map[string]int{}
	for i := range gateway {
		byMarker[fmt.Sprintf("mk%03dz%03d", 0, i)] = i
	}
	for _, w := range rec.writes {
		if bytes.HasPrefix([]byte(w.collection), []byte("invitations_spent_")) {
			continue
		}
		for _, d := range w.docs {
			for _, v := range invitationValues {
				if bytes.Contains(d, v) {
					t.Fatalf("a write to %s holds a value of the invitation side: %q", w.collection, v)
				}
			}
			if w.collection == "responses" {
				if m := markerIn(d); m != "" {
					order = append(order, arrival{at: time.Unix(int64(byMarker[m]), 0)})
				}
			}
		}
	}
	if len(order) != 200 {
		t.Fatalf("%d released responses recorded, want 200", len(order))
	}
	if rho := spearman(order); math.Abs(rho) >= 0.3 {
		t.Fatalf("responses are written in the order their invitations were spent: ρ %.2f", rho)
	} else {
		t.Logf("Spearman ρ between the order invitations were spent and responses written: %.3f", rho)
	}
}

func mustElements(t *testing.T, d bson.Raw) []bson.RawElement {
	t.Helper()
	els, err := d.Elements()
	if err != nil {
		t.Fatal(err)
	}
	return els
}
