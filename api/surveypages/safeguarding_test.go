package surveypages_test

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/store"
)

// ballotSizes lists every stored document's size, collection by collection.
func ballotSizes(t *testing.T, srv *apitest.Server) map[string][]int {
	t.Helper()
	ctx := context.Background()
	db := srv.Store.Database(store.SurveyDatabase)
	names, err := ballotbox.BallotCollections(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int{}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			out[name] = append(out[name], len(cur.Current))
		}
		sort.Ints(out[name])
	}
	return out
}

var markInLocation = regexp.MustCompile(`&m=[A-Za-z0-9_-]{55}$`)

// Issue 30: a comment that speaks of risk opens that person's thank-you page
// with a crisis message, and nobody else's. An observer of the requests and
// responses (their addresses, statuses, headers and lengths) and of every
// write cannot tell which submission carried it.
func TestSafeguarding_ARiskCommentChangesOnlyItsWritersPageAndNothingTellsWhich(t *testing.T) {
	srv := apitest.New(t)
	type seen struct {
		location, body  string
		status, length  int
		headers         http.Header
		collectionSizes map[string][]int
	}
	send := func(lang, comment string) seen {
		t.Helper()
		form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
		form.Set("fft_why", comment)
		path := "/s/counselling"
		if lang == "cy" {
			path += "?lang=cy"
		}
		resp, _ := srv.PostForm(t, path, form)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !markInLocation.MatchString(loc) {
			t.Fatalf("send: %d %q", resp.StatusCode, loc)
		}
		page, body := srv.Get(t, loc)
		h := page.Header.Clone()
		h.Del("Date")
		return seen{location: loc, body: body, status: page.StatusCode, length: len(body), headers: h, collectionSizes: ballotSizes(t, srv)}
	}
	ordinary := send("en", "The counsellor called back quickly and was kind.")
	risk := send("en", "Honestly I can't see a reason to keep going any more.")
	later := send("en", "Easy to book, thank you.")

	if !strings.Contains(risk.body, "Please talk to someone now") || !strings.Contains(risk.body, "116 123") {
		t.Fatal("the risk comment's thank-you page has no crisis message")
	}
	for _, s := range []seen{ordinary, later} {
		if strings.Contains(s.body, "Please talk to someone now") {
			t.Fatal("an ordinary comment's thank-you page has the crisis message")
		}
	}
	// The same address shape, status, headers and length for all three.
	for _, s := range []seen{risk, later} {
		if len(s.location) != len(ordinary.location) || s.status != ordinary.status || s.length != ordinary.length {
			t.Fatalf("pages differ: location %d/%d, status %d/%d, length %d/%d",
				len(s.location), len(ordinary.location), s.status, ordinary.status, s.length, ordinary.length)
		}
		for k := range ordinary.headers {
			if s.headers.Get(k) != ordinary.headers.Get(k) {
				t.Fatalf("header %s: %q, %q", k, s.headers.Get(k), ordinary.headers.Get(k))
			}
		}
	}
	if ordinary.headers.Get("Cache-Control") != "no-store" {
		t.Fatalf("thank-you page Cache-Control %q", ordinary.headers.Get("Cache-Control"))
	}
	// Each submission wrote one ballot of one size (and an _id to the guard):
	// the risk one no more, no less.
	for name, sizes := range later.collectionSizes {
		if strings.HasPrefix(name, "ballots_") {
			for _, n := range sizes {
				if n != sizes[0] {
					t.Fatalf("ballots of different sizes in %s: %v", name, sizes)
				}
			}
		}
	}
	// A mark altered or taken from another page opens no crisis message.
	_, body := srv.Get(t, strings.Replace(risk.location, risk.location[len(risk.location)-6:], "AAAAAA", 1))
	if strings.Contains(body, "Please talk to someone now") {
		t.Fatal("an altered mark opened the crisis message")
	}
	// In Welsh, the Welsh-language lines too.
	cy := send("cy", "Dw i ddim eisiau byw rhagor.")
	if !strings.Contains(cy.body, "0800 132 737") || !strings.Contains(cy.body, "0808 164 0123") {
		t.Fatal("the Welsh crisis message lacks the C.A.L.L. and Welsh Samaritans lines")
	}

	// After release the risk comment is marked for the safeguarding lane,
	// the others are not, and what was written is generalised text only.
	month := openMonth(t, srv)
	srv.ReleaseAll(t)
	cur, err := srv.Collection("comments_counselling_"+strings.ReplaceAll(month, "-", "_")).Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for cur.Next(context.Background()) {
		if v, ok := cur.Current.Lookup("safeguarding").BooleanOK(); ok && v {
			flagged++
		}
	}
	if flagged != 2 {
		t.Fatalf("%d released comments flagged for safeguarding, want 2", flagged)
	}
}

// openMonth is the month whose box holds ballots.
func openMonth(t *testing.T, srv *apitest.Server) string {
	t.Helper()
	boxes, err := ballotbox.PendingBoxes(context.Background(), srv.Store.Database(store.SurveyDatabase))
	if err != nil || len(boxes) != 1 {
		t.Fatalf("boxes %v, %v", boxes, err)
	}
	return boxes[0]
}
