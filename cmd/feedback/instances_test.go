package main

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// Two instances on one store: A runs the embedded store and shares it on
// loopback; B reaches it as MongoDB, as a second machine reaches a replica set.
// Whatever instance a request lands on, nonces, sessions and figures are the
// same, because none of them lives in an instance.
func TestTwoInstances_ShareNoncesSessionsAndFigures(t *testing.T) {
	storeAddr, addrA, addrB, metricsA := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	dirA := t.TempDir()
	dirB := filepath.Join(t.TempDir(), "b-never-opens-this")
	// Every instance seals ballots with the same secret, given in the environment.
	t.Setenv("FEEDBACK_SEALING_SECRET", base64.StdEncoding.EncodeToString(ballotbox.NewSecret()))
	instA := start(t, "serve", "--addr", addrA, "--data-dir", dirA, "--store-addr", storeAddr, "--metrics-addr", metricsA,
		"--rate-limit", "0", "--log-format", "text", "--disclosure-k", "5")
	uri := sharedStoreURI(storeAddr, dirA)
	t.Setenv("MONGODB_URI", uri)
	// A holds the keyring (DATA_DIR-keyring): it makes the boxes, mixes and
	// releases; B only seals, to the public keys A made.
	t.Setenv("FEEDBACK_KEYRING", "none")
	b := start(t, "serve", "--addr", addrB, "--data-dir", dirB, "--rate-limit", "0", "--log-format", "text", "--disclosure-k", "5")
	if !strings.Contains(b.out.String(), "MongoDB at MONGODB_URI") {
		t.Fatalf("B is not on MONGODB_URI:\n%s", b.out.String())
	}
	a, bb := "http://"+addrA, "http://"+addrB
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, u, contentType, body, cookie string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp, string(out)
	}
	const formType = "application/x-www-form-urlencoded"

	// A form fetched from A is accepted by B once; replayed to either, it is
	// "already received" and nothing more is stored.
	counselling := func(from string) string {
		t.Helper()
		_, page := do("GET", from+"/s/counselling", "", "", "")
		m := regexp.MustCompile(`name="nonce" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no nonce in the form of %s:\n%s", from, page)
		}
		return url.Values{"nonce": {m[1]}, "website": {""}, "fft": {"very_good"}, "ease": {"easy"},
			"listened": {"yes"}, "recommend": {"9"}, "helped": {"work"}}.Encode()
	}
	form := counselling(a)
	if resp, body := do("POST", bb+"/s/counselling", formType, form, ""); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/s/counselling/thanks?lang=en&m=") {
		t.Fatalf("A's form submitted to B: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	for _, base := range []string{bb, a} {
		resp, _ := do("POST", base+"/s/counselling", formType, form, "")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "&already=1&m=") {
			t.Fatalf("replay to %s: %d %q", base, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Four more, each fetched from one instance and sent to the other, so the
	// month has enough responses (K = 5) for the dashboards to publish it.
	for i := 0; i < 4; i++ {
		from, to := a, bb
		if i%2 == 1 {
			from, to = bb, a
		}
		if resp, _ := do("POST", to+"/s/counselling", formType, counselling(from), ""); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("form %d: %d", i, resp.StatusCode)
		}
	}
	// The same through the API, the other way round.
	_, def := do("GET", bb+"/api/v1/surveys/peer-support", "", "", "")
	m := regexp.MustCompile(`"nonce":"([^"]+)"`).FindStringSubmatch(def)
	if m == nil {
		t.Fatalf("no nonce from B's API: %s", def)
	}
	answer := `{"nonce":"` + m[1] + `","answers":{"fft":"good"}}`
	if resp, out := do("POST", a+"/api/v1/surveys/peer-support/responses", "application/json", answer, ""); resp.StatusCode != http.StatusCreated {
		t.Fatalf("B's nonce submitted to A: %d %s", resp.StatusCode, out)
	}
	for _, base := range []string{a, bb} {
		if resp, out := do("POST", base+"/api/v1/surveys/peer-support/responses", "application/json", answer, ""); resp.StatusCode != http.StatusConflict {
			t.Fatalf("API replay to %s: %d %s", base, resp.StatusCode, out)
		}
	}

	// A staff account made with the CLI against the shared store; signed in on
	// A, the session is good on B, and signing out on B ends it on A.
	const password = "violet-harbour-kettle-7"
	if err := run(context.Background(), []string{"users", "add", "--mongodb-uri", uri, "--email", "jo@example.nhs.uk",
		"--name", "Jo", "--role", "quality"}, strings.NewReader(password+"\n"), io.Discard, io.Discard); err != nil {
		t.Fatalf("feedback users add: %v", err)
	}
	resp, body := do("POST", a+"/login", formType, url.Values{"email": {"jo@example.nhs.uk"}, "password": {password}}.Encode(), "")
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == "feedback_session" {
			session = c.Name + "=" + c.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == "" {
		t.Fatalf("sign in on A: %d, cookie %q\n%s", resp.StatusCode, session, body)
	}
	for _, base := range []string{a, bb} {
		if resp, body := do("GET", base+"/api/staff/session", "", "", session); resp.StatusCode != http.StatusOK ||
			!strings.Contains(body, "jo@example.nhs.uk") {
			t.Fatalf("A's session on %s: %d %s", base, resp.StatusCode, body)
		}
	}
	if resp, _ := do("GET", bb+"/api/staff/session", "", "", "feedback_session=forged"); resp.StatusCode == http.StatusOK {
		t.Fatal("B accepted a forged session")
	}

	// Every answer, whichever instance took it, is a sealed ballot in the shared
	// store; nothing else is written until the month is released.
	st, err := store.Open(context.Background(), store.Config{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close(context.Background()) }()
	db := st.Database(store.SurveyDatabase)
	if n := sealedBallots(t, db); n != 6 {
		t.Fatalf("%d sealed ballots, want 6", n)
	}
	if got, err := counterTotals(st); err != nil || len(got) != 0 {
		t.Fatalf("counters before any release: %v %v", got, err)
	}
	// Two instances release at once (as serve's timers would, with the month
	// due): the lease lets one do it, and every ballot is released exactly once.
	cat, _ := survey.LoadEmbedded()
	sealer, err := loadSealer(st, cat, func(name string) string {
		if name == keyringEnv {
			return dirA + "-keyring"
		}
		return os.Getenv(name)
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, holder := range []string{"A", "B"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel, err := ballotbox.NewReleaser(db, cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 1, OpenK: 1, OpenByMonth: true, Holder: holder})
			if err != nil {
				t.Error(err)
				return
			}
			boxes, _ := ballotbox.PendingBoxes(context.Background(), db)
			for _, box := range boxes {
				if _, err := rel.Release(context.Background(), box); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if got, err := counterTotals(st); err != nil || !maps.Equal(got, map[string]int64{"counselling": 5, "peer-support": 1}) {
		t.Fatalf("counters %v (%v), want counselling 5, peer-support 1\nA logged:\n%s\nB logged:\n%s", got, err, instA.errs.String(), b.errs.String())
	}
	if n, err := db.Collection("responses").CountDocuments(context.Background(), bson.D{}); err != nil || n != 6 {
		t.Fatalf("%d responses stored (%v), want 6", n, err)
	}
	if n := sealedBallots(t, db); n != 0 {
		t.Fatalf("%d ballots left after the release", n)
	}
	// Both instances publish the same figures (this month's never).
	for deadline := time.Now().Add(20 * time.Second); ; {
		_, statsA := do("GET", a+"/api/v1/stats/counselling", "", "", session)
		_, statsB := do("GET", bb+"/api/v1/stats/counselling", "", "", session)
		if statsA == statsB && strings.Contains(statsA, `"totals":{"responses":0,`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instances publish different figures:\nA: %s\nB: %s", statsA, statsB)
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, base := range []string{a, bb} {
		if resp, body := do("GET", base+"/readyz", "", "", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s not ready: %s", base, body)
		}
	}

	// A's metrics count what A stored, and the store it holds.
	_, metricsText := do("GET", "http://"+metricsA+"/metrics", "", "", "")
	for _, want := range []string{"feedback_survey_responses_stored_total ",
		`feedback_http_requests_total{class="2xx",code="201",method="POST",route="/api/v1/surveys/:service/responses"} 1`,
		"feedback_store_commit_duration_seconds_count", "feedback_sms_outbox_depth 0", "feedback_embedded_store_bytes "} {
		if !strings.Contains(metricsText, want) {
			t.Errorf("A's metrics lack %q", want)
		}
	}
	// A took one peer-support and two of the five counselling responses; B
	// took the rest. (No per-service label: it would time each response.)
	if !strings.Contains(metricsText, "feedback_survey_responses_stored_total 3\n") {
		t.Errorf("A's count of responses is not its own three:\n%s", metricsText)
	}
	// B never touched a data directory of its own.
	if _, err := os.Stat(dirB); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("B created its data directory: %v", err)
	}
}

// counterTotals sums the responses counted per service in the shared counters.
func counterTotals(st *store.Store) (map[string]int64, error) {
	cur, err := st.Database(store.SurveyDatabase).Collection("counters").Find(context.Background(), bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []struct {
		Service string `bson:"service"`
		N       int64  `bson:"n"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, d := range docs {
		out[d.Service] += d.N
	}
	return out, nil
}

// sealedBallots counts the sealed ballots not yet released, whichever
// collections of their boxes hold them.
func sealedBallots(t *testing.T, db *mongo.Database) int64 {
	t.Helper()
	names, err := ballotbox.BallotCollections(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, name := range names {
		k, err := db.Collection(name).CountDocuments(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}
