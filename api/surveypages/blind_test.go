package surveypages_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/circl/blindsign/blindrsa"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
)

var b64 = base64.RawURLEncoding

// exchange is one run of what the invited form's script does, with circl's
// client: fetch the key, blind a fresh token, exchange code for a blind
// signature, unblind. It returns the token ("" when refused, or when the
// answer is a decoy: no signature of the blinded message), the status and
// the exchange's request and response bodies.
type exchange struct {
	token, request, response string
	status                   int
	blinded, blindSig        []byte
	decoy                    bool
	header                   http.Header
}

// tokenKey fetches the key browsers blind with now: its id and public key.
// It is cacheable by anyone, for at most a day.
func tokenKey(t *testing.T, srv *apitest.Server, service string) (string, *rsa.PublicKey) {
	t.Helper()
	resp, body := srv.Get(t, "/s/"+service+"/token-key")
	var k struct{ ID, N, E string }
	var maxAge int
	_, _ = fmt.Sscanf(resp.Header.Get("Cache-Control"), "public, max-age=%d", &maxAge)
	if err := json.Unmarshal([]byte(body), &k); resp.StatusCode != http.StatusOK || err != nil ||
		maxAge <= 0 || maxAge > 86400 || len(resp.Cookies()) != 0 || !regexp.MustCompile(`^\d{4}-\d\d$`).MatchString(k.ID) {
		t.Fatalf("token key: %d %v %q %s", resp.StatusCode, err, resp.Header.Get("Cache-Control"), body)
	}
	n, _ := b64.DecodeString(k.N)
	e, _ := b64.DecodeString(k.E)
	return k.ID, &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}

func blindExchange(t *testing.T, srv *apitest.Server, service, code string) exchange {
	t.Helper()
	id, pk := tokenKey(t, srv, service)
	return blindExchangeWith(t, srv, service, code, id, pk)
}

// blindExchangeWith is blindExchange with a key fetched before.
func blindExchangeWith(t *testing.T, srv *apitest.Server, service, code, id string, pk *rsa.PublicKey) exchange {
	t.Helper()
	client, err := blindrsa.NewClient(blindrsa.SHA384PSSRandomized, pk)
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 32)
	_, _ = rand.Read(msg)
	prepared, _ := client.Prepare(rand.Reader, msg)
	blinded, state, err := client.Blind(rand.Reader, prepared)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := json.Marshal(map[string]string{"invitation": code, "key": id, "blinded": b64.EncodeToString(blinded)})
	resp, body := srv.PostJSON(t, "/s/"+service+"/token", string(req))
	x := exchange{request: string(req), response: body, status: resp.StatusCode, blinded: blinded, header: resp.Header}
	if len(resp.Cookies()) != 0 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token exchange: cookies %v, Cache-Control %q", resp.Cookies(), resp.Header.Get("Cache-Control"))
	}
	if resp.StatusCode != http.StatusOK {
		if resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("refused exchange: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		return x
	}
	var out struct{ Signature string }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	x.blindSig, _ = b64.DecodeString(out.Signature)
	sig, err := client.Finalize(state, x.blindSig)
	if err != nil {
		x.decoy = true // the code could not be spent: the browser sends the form without a token
		return x
	}
	x.token = b64.EncodeToString(append(prepared, sig...))
	return x
}

// newInvitation mints a code and opens its link, as the person does: the
// form carries the script and the invitation.
func newInvitation(t *testing.T, srv *apitest.Server, service string) (code, nonce string) {
	t.Helper()
	code, err := srv.Invitations.Mint(service)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := srv.Get(t, "/i/"+code)
	n := apitest.NonceInForm.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || n == nil || !regexp.MustCompile(`<script src="/static/invite\.[0-9a-f]{8}\.js" defer></script>`).MatchString(body) {
		t.Fatalf("invited form: %d\n%s", resp.StatusCode, body)
	}
	return code, n[1]
}

// verifiedByComment releases every ballot and reads each response's
// verified mark by its comment.
func verifiedByComment(t *testing.T, srv *apitest.Server) map[string]bool {
	t.Helper()
	srv.ReleaseAll(t)
	out := map[string]bool{}
	cur, err := srv.Collection("responses").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for cur.Next(context.Background()) {
		var r struct {
			Verified bool   `bson:"verified"`
			Answers  bson.M `bson:"answers"`
		}
		if err := cur.Decode(&r); err != nil {
			t.Fatal(err)
		}
		out[r.Answers["fft_why"].(string)] = r.Verified
	}
	return out
}

// A browser exchanges its invitation for a blind signature and sends the
// token, not the invitation, with its answers: stored verified, once. The
// token again is a replay; the invitation, spent by the exchange, is used.
func TestBlindToken_AnswersWithATokenAreStoredVerifiedOnce(t *testing.T) {
	srv := apitest.New(t)
	code, nonce := newInvitation(t, srv, "counselling")
	x := blindExchange(t, srv, "counselling", code)
	if x.status != http.StatusOK || x.token == "" {
		t.Fatalf("exchange: %d %s", x.status, x.response)
	}
	form := apitest.ValidForm(nonce)
	form.Set("token", x.token)
	form.Set("fft_why", "with a token")
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/s/counselling/thanks?lang=en&m=") || len(resp.Cookies()) != 0 {
		t.Fatalf("answer: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	replay := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	replay.Set("token", x.token)
	replay.Set("fft_why", "the token again")
	if resp, _ := srv.PostForm(t, "/s/counselling", replay); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "&already=1&m=") {
		t.Fatalf("token reused: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if again := blindExchange(t, srv, "counselling", code); again.status != http.StatusOK || !again.decoy {
		t.Fatalf("second exchange of one invitation: %d %s, want a decoy", again.status, again.response)
	}
	noJS := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	noJS.Set("invitation", code)
	noJS.Set("fft_why", "the invitation after the exchange")
	if resp, _ := srv.PostForm(t, "/s/counselling", noJS); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("invitation after the exchange: %d", resp.StatusCode)
	}
	got := verifiedByComment(t, srv)
	if len(got) != 2 || !got["with a token"] || got["the invitation after the exchange"] {
		t.Fatalf("verified by answer: %v", got)
	}
	if logs := srv.Logs.String(); strings.Contains(logs, "token") || strings.Contains(logs, code) {
		t.Fatalf("the exchange or the answers were logged:\n%s", logs)
	}
}

// An altered or garbled token gets the form back with the answers and a
// clear notice; nothing is stored, and sending it again stores it open.
func TestBlindToken_AnAlteredTokenGetsTheFormBackAndStoresNothing(t *testing.T) {
	srv := apitest.New(t)
	code, nonce := newInvitation(t, srv, "counselling")
	x := blindExchange(t, srv, "counselling", code)
	raw, _ := b64.DecodeString(x.token)
	raw[len(raw)-1] ^= 1
	otherService := blindExchange(t, srv, "peer-support", mustMint(t, srv, "peer-support")).token
	for _, bad := range []string{b64.EncodeToString(raw), "not base64!", strings.Repeat("A", 600), otherService} {
		form := apitest.ValidForm(nonce)
		form.Set("token", bad)
		form.Set("fft_why", "kept answer")
		resp, body := srv.PostForm(t, "/s/counselling", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "could not check the proof") ||
			!strings.Contains(body, "kept answer") || strings.Contains(body, `name="token"`) || !strings.Contains(body, nonce) {
			t.Fatalf("bad token %.20q: %d\n%s", bad, resp.StatusCode, body)
		}
	}
	if n := srv.Count(t, "responses"); n != 0 {
		t.Fatalf("%d stored from bad tokens", n)
	}
	form := apitest.ValidForm(nonce)
	form.Set("fft_why", "sent again without it")
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sent again: %d", resp.StatusCode)
	}
	if got := verifiedByComment(t, srv); len(got) != 1 || got["sent again without it"] {
		t.Fatalf("verified by answer: %v", got)
	}
}

func mustMint(t *testing.T, srv *apitest.Server, service string) string {
	t.Helper()
	code, err := srv.Invitations.Mint(service)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// The exchange answers another service's, expired, used and broken codes with
// a decoy (see the attack test below) and malformed requests with a problem
// document, and spends nothing then.
func TestBlindToken_RefusedExchangesSpendNothing(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	code := mustMint(t, srv, "counselling")
	late := mustMint(t, srv, "counselling")
	if x := blindExchange(t, srv, "peer-support", code); x.status != http.StatusOK || !x.decoy {
		t.Fatalf("another service's code: %d %s", x.status, x.response)
	}
	if x := blindExchange(t, srv, "counselling", "not-a-code"); x.status != http.StatusOK || !x.decoy {
		t.Fatalf("broken code: %d", x.status)
	}
	// The key of the clock's month, and one two months old that signs no more.
	key, stale := apitest.Month(2026, 11), apitest.Month(2026, 9)
	for body, want := range map[string]int{
		`{"invitation":"` + code + `","key":"` + key + `","blinded":"***"}`:                                     http.StatusBadRequest,
		`{"invitation":"` + code + `","key":"` + key + `","blinded":"AAAA"}`:                                    http.StatusBadRequest,
		`{"invitation":"` + code + `","key":"` + key + `","blinded":` + "\"" + strings.Repeat("_", 342) + "\"}": http.StatusBadRequest,
		`{"invitation":"` + code + `","blinded":"AAAA"}`:                                                        http.StatusConflict,
		`{"invitation":"` + code + `","key":"` + stale + `","blinded":"AAAA"}`:                                  http.StatusConflict,
		`not json`: http.StatusBadRequest,
	} {
		if resp, got := srv.PostJSON(t, "/s/counselling/token", body); resp.StatusCode != want ||
			resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%.60s: %d %s", body, resp.StatusCode, got)
		}
	}
	if resp, _ := srv.Do(t, http.MethodPost, "/s/counselling/token", "text/plain", []byte(`{}`)); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain exchange: %d", resp.StatusCode)
	}
	if resp, _ := srv.PostJSON(t, "/s/nope/token", `{}`); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown survey: %d", resp.StatusCode)
	}
	clock.Advance(15 * 24 * time.Hour)
	if x := blindExchange(t, srv, "counselling", late); x.status != http.StatusOK || !x.decoy {
		t.Fatalf("expired code: %d", x.status)
	}
	clock.Advance(-15 * 24 * time.Hour)
	// None of that spent the code: it is exchanged now, once.
	if x := blindExchange(t, srv, "counselling", code); x.status != http.StatusOK || x.token == "" {
		t.Fatalf("the code after refused exchanges: %d %s", x.status, x.response)
	}
	if x := blindExchange(t, srv, "counselling", code); x.status != http.StatusOK || !x.decoy {
		t.Fatalf("used code: %d %s", x.status, x.response)
	}
}

// The exchange and the answers are two requests with no value in common: the
// blinded message and the blind signature never appear in the answers'
// request, the token never in the exchange, and the invitation not in the
// answers.
func TestBlindToken_TheExchangeAndTheAnswersShareNoValue(t *testing.T) {
	srv := apitest.New(t)
	code, nonce := newInvitation(t, srv, "counselling")
	x := blindExchange(t, srv, "counselling", code)
	form := apitest.ValidForm(nonce)
	form.Set("token", x.token)
	answers := form.Encode()
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	token, _ := b64.DecodeString(x.token)
	prepared, sig := token[:64], token[64:]
	exchangeSide := [][]byte{[]byte(code), x.blinded, x.blindSig}
	answerSide := [][]byte{prepared, sig, prepared[32:]}
	encodings := func(v []byte) [][]byte {
		return [][]byte{v, []byte(b64.EncodeToString(v)), []byte(base64.StdEncoding.EncodeToString(v)), []byte(new(big.Int).SetBytes(v).Text(16))}
	}
	for _, v := range exchangeSide {
		for _, e := range encodings(v) {
			if bytes.Contains([]byte(answers), e) {
				t.Fatalf("the answers' request carries a value of the exchange: %.40q", e)
			}
		}
	}
	for _, v := range answerSide {
		for _, e := range encodings(v) {
			if strings.Contains(x.request+x.response, string(e)) {
				t.Fatalf("the exchange carries a value of the answers' request: %.40q", e)
			}
		}
	}
	if bytes.Equal(x.blinded, prepared) || bytes.Equal(x.blindSig, sig) {
		t.Fatal("the blind signature is the signature sent")
	}
}

// A token is accepted once for good, not only while its ballot waits: once
// its month is released (and its ballots deleted) the same token again is
// not verified. Without the token's own spent mark it was, once a month.
func TestBlindToken_ATokenSentAgainAfterItsMonthIsReleasedIsNotVerified(t *testing.T) {
	srv := apitest.New(t)
	code, nonce := newInvitation(t, srv, "counselling")
	x := blindExchange(t, srv, "counselling", code)
	if x.status != http.StatusOK || x.token == "" {
		t.Fatalf("exchange: %d %s", x.status, x.response)
	}
	form := apitest.ValidForm(nonce)
	form.Set("token", x.token)
	form.Set("fft_why", "first")
	if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	srv.ReleaseAll(t)
	again := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	again.Set("token", x.token)
	again.Set("fft_why", "the token after its month was released")
	if resp, _ := srv.PostForm(t, "/s/counselling", again); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("token again: %d", resp.StatusCode)
	}
	got := verifiedByComment(t, srv)
	if !got["first"] || got["the token after its month was released"] {
		t.Fatalf("verified by answer: %v", got)
	}
}
