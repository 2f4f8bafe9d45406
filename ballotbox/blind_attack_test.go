package ballotbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/circl/blindsign/blindrsa"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// The attacker is the running server itself, with every write to both
// databases (what an oplog keeps), every request it received, in full, and
// the SMS gateway's log of which code went to whom. People with JavaScript
// exchange their invitation for a blind signature, then send their answers
// with the token: the exchange (code, blinded message, blind signature) and
// the answers (token, nonce, answers) share no value, nor does any write of
// either side hold a value of the other, and responses are written in an
// order unrelated to the exchanges'. What is left is the blinding itself:
// with r uniform, a blinded message is uniform whatever the token, so even
// the private key does not tell which exchange a token came from.
func TestBlindAttack_NoRequestOrWriteJoinsATokenResponseToItsInvitation(t *testing.T) {
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
	tokens := invitation.NewTokens(spent)
	responses := ballotbox.NewResponses(db, ballotbox.Options{Now: c.Now, Sealer: sealer, Invitations: spent, Tokens: tokens})
	t.Cleanup(responses.Close)
	ctx := context.Background()
	def, _ := cat.Get("counselling")
	key, err := tokens.SigningKey(ctx, "counselling")
	if err != nil {
		t.Fatal(err)
	}
	bc, _ := blindrsa.NewClient(invitation.Variant, key.Key)

	const people = 60
	var gateway, exchanges, answers []string // what the SMS log and the server saw
	var exchangeValues, answerValues [][]byte
	for i := range people {
		c.Set(c.Now().Add(3 * time.Hour))
		code, _ := codes.Mint("counselling")
		gateway = append(gateway, code)
		c.Set(c.Now().Add(4 * time.Minute)) // the form is touched: the exchange
		prepared, _ := bc.Prepare(rand.Reader, randomBytes(32))
		blinded, state, err := bc.Blind(rand.Reader, prepared)
		if err != nil {
			t.Fatal(err)
		}
		blindSig, err := tokens.Sign(ctx, "counselling", key.ID, code, blinded)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := bc.Finalize(state, blindSig)
		if err != nil {
			t.Fatal(err)
		}
		exchanges = append(exchanges, fmt.Sprintf(`{"invitation":%q,"blinded":%q} %s`, code, b64(blinded), b64(blindSig)))
		exchangeValues = append(exchangeValues, []byte(code), blinded, blindSig)

		c.Set(c.Now().Add(2 * time.Minute)) // the answers
		nonce, _ := responses.Keys().Issue(ctx, "counselling")
		token := b64(append(append([]byte{}, prepared...), sig...))
		marker := fmt.Sprintf("said mk%03dz%03d", 0, i)
		form := url.Values{"nonce": {nonce}, "token": {token}, "fft": {"good"}, "fft_why": {marker}}
		answers = append(answers, form.Encode())
		answerValues = append(answerValues, prepared, sig, prepared[32:], []byte(nonce))
		a := survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: marker}}
		if out, err := responses.SubmitToken(ctx, def, nonce, token, a); err != nil || out != ballotbox.Stored {
			t.Fatalf("submit %d: %v %v", i, out, err)
		}
	}
	// The key rotation's writes: next month's key made ahead, on the last evening.
	c.Set(onCalendar(time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)))
	if err := tokens.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if w := rec.writes[len(rec.writes)-1]; w.collection != "blind_keys" || !bytes.Contains(w.docs[0], []byte("counselling|"+monthOn(2026, 11))) {
		t.Fatalf("rotation wrote %s, not next month's key", w.collection)
	}
	c.Set(onCalendar(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 10, OpenK: 10, OpenByMonth: true, Now: c.Now, Responses: responses})
	if err != nil {
		t.Fatal(err)
	}
	if reps, err := rel.ReleaseDue(ctx); err != nil || len(reps) != 1 || reps[0].Responses != people {
		t.Fatalf("release: %+v %v", reps, err)
	}
	if n := countVerified(t, db); n != people {
		t.Fatalf("%d verified responses, want %d", n, people)
	}

	for _, code := range gateway {
		exchangeValues = append(exchangeValues, []byte(code))
	}
	for _, w := range rec.writes { // the spent marks (the key's _id is the service's name)
		if bytes.HasPrefix([]byte(w.collection), []byte("invitations_spent_")) {
			for _, d := range w.docs {
				if id, ok := d.Lookup("_id").StringValueOK(); ok {
					exchangeValues = append(exchangeValues, []byte(id))
				}
			}
		}
	}
	checkNoneIn(t, "an answers' request", answers, exchangeValues)
	checkNoneIn(t, "an exchange", exchanges, answerValues)
	checkSpentTokenMarks(t, rec.writes, people)
	var order []arrival
	for _, w := range rec.writes {
		exchangeSide := w.collection == "blind_keys" || bytes.HasPrefix([]byte(w.collection), []byte("invitations_spent_"))
		for _, d := range w.docs {
			if exchangeSide {
				checkNoneIn(t, "a write of the exchange to "+w.collection, []string{string(d)}, answerValues)
				continue
			}
			checkNoneIn(t, "a write to "+w.collection, []string{string(d)}, exchangeValues)
			if m := markerIn(d); w.collection == "responses" && m != "" {
				var i int
				_, _ = fmt.Sscanf(m, "mk000z%03d", &i)
				order = append(order, arrival{at: time.Unix(int64(i), 0)})
			}
		}
	}
	if len(order) != people {
		t.Fatalf("%d released responses recorded, want %d", len(order), people)
	}
	if rho := spearman(order); math.Abs(rho) >= 0.35 {
		t.Fatalf("responses are written in the order of their exchanges: ρ %.2f", rho)
	}
}

// checkSpentTokenMarks checks that the tokens' spent marks went to their
// key month's collection and hold an _id alone: no time finer than the
// month its collection names.
func checkSpentTokenMarks(t *testing.T, writes []recordedWrite, want int) {
	t.Helper()
	n := 0
	for _, w := range writes {
		if !bytes.HasPrefix([]byte(w.collection), []byte("tokens_spent")) {
			continue
		}
		for _, d := range w.docs {
			elems, _ := d.Elements()
			if w.collection != "tokens_spent_"+strings.ReplaceAll(monthOn(2026, 10), "-", "_") || len(elems) != 1 || elems[0].Key() != "_id" {
				t.Fatalf("a spent token's mark in %s: %s", w.collection, d)
			}
			n++
		}
	}
	if n != want {
		t.Fatalf("%d spent tokens' marks, want %d", n, want)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// checkNoneIn fails if any of values, raw or in any encoding a request or a
// document might carry it, is inside any of texts.
func checkNoneIn(t *testing.T, what string, texts []string, values [][]byte) {
	t.Helper()
	for _, v := range values {
		forms := []string{string(v), b64(v), base64.StdEncoding.EncodeToString(v), hex.EncodeToString(v)}
		for _, text := range texts {
			for _, f := range forms {
				if len(f) >= 8 && bytes.Contains([]byte(text), []byte(f)) {
					t.Fatalf("%s holds a value of the other side: %.40q", what, f)
				}
			}
		}
	}
}

func countVerified(t *testing.T, db *mongo.Database) int64 {
	t.Helper()
	n, err := db.Collection("responses").CountDocuments(context.Background(), bson.D{{Key: "verified", Value: true}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
