package intake

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
)

// gateway stands in for an SMS provider: it records the one request it gets
// and answers with status and body.
type gateway struct {
	method, path, query, body string
	header                    http.Header
}

func newGateway(t *testing.T, status int, answer string) (*gateway, *httptest.Server) {
	g := &gateway{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		g.method, g.path, g.query, g.body, g.header = r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return g, srv
}

const (
	notifyKey      = "feedback_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
	notifyTemplate = "f33517ff-2a88-4f6e-b855-c550268ce08a"
	// notifyJWT was computed independently (Python hmac) for iat 1795428000 (monday).
	notifyJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiIyNjc4NWEwOS1hYjE2LTRlYjAtODQwNy1hMzc0OTdhNTc1MDYiLCJpYXQiOjE3OTU0MjgwMDB9.GQQ6yA3h-hkc8urSxaxGNWvGRQApvH7C2lALX3JUekg"
)

func TestNotifySender_SendsTheExactRequest(t *testing.T) {
	g, srv := newGateway(t, http.StatusCreated, `{"id":"740e5834-3a29-46b4-9a6f-16142fde533a"}`)
	n, err := NewNotifySender(notifyKey, notifyTemplate, clocktest.Wall)
	if err != nil {
		t.Fatal(err)
	}
	n.BaseURL, n.Now = srv.URL, func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) } // notifyJWT was computed for this iat
	text := SurveyText(testBaseURL, Counselling)
	if err := n.Send(context.Background(), "+447700900123", text); err != nil {
		t.Fatal(err)
	}
	wantBody := `{"phone_number":"+447700900123","template_id":"` + notifyTemplate + `","personalisation":{"message":"` + text + `"}}`
	if g.method != http.MethodPost || g.path != "/v2/notifications/sms" || g.query != "" {
		t.Errorf("request %s %s?%s, want POST /v2/notifications/sms", g.method, g.path, g.query)
	}
	if got := g.header.Get("Authorization"); got != "Bearer "+notifyJWT {
		t.Errorf("Authorization %q\nwant %q", got, "Bearer "+notifyJWT)
	}
	if got := g.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
	if g.body != wantBody {
		t.Errorf("body %s\nwant %s", g.body, wantBody)
	}
	claims, _ := base64.RawURLEncoding.DecodeString(strings.Split(notifyJWT, ".")[1])
	if string(claims) != `{"iss":"26785a09-ab16-4eb0-8407-a37497a57506","iat":1795428000}` {
		t.Errorf("claims %s", claims)
	}
}

func TestNotifySender_RejectsMalformedKeys(t *testing.T) {
	for _, key := range []string{"", "just-a-name", "name-26785a09-ab16-4eb0-8407-a37497a57506", strings.ToUpper(notifyKey)} {
		if _, err := NewNotifySender(key, notifyTemplate, clocktest.Wall); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
}

func TestSenders_ClassifyGatewayRefusalsWithoutQuotingTheNumber(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		answer    string
		twilio    bool
		permanent bool
		want      string
	}{
		{"notify: not a mobile", 400, `{"errors":[{"error":"ValidationError","message":"phone_number +447700900123 Not a UK mobile number"}],"status_code":400}`, false, true, "notify: HTTP 400 (ValidationError)"},
		{"notify: rate limited", 429, `{"errors":[{"error":"RateLimitError","message":"Exceeded rate limit"}]}`, false, false, "notify: HTTP 429 (RateLimitError)"},
		{"notify: outage", 500, `oops`, false, false, "notify: HTTP 500"},
		{"twilio: invalid To", 400, `{"code":21211,"message":"The 'To' number +447700900123 is not a valid phone number.","status":400}`, true, true, "twilio: HTTP 400 (code 21211)"},
		{"twilio: auth", 401, `{"code":20003,"message":"Authenticate"}`, true, false, "twilio: HTTP 401 (code 20003)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newGateway(t, tt.status, tt.answer)
			var s Sender
			if tt.twilio {
				s = &TwilioSender{BaseURL: srv.URL, AccountSID: "AC123", AuthToken: "tok", From: "+447700900000"}
			} else {
				n, _ := NewNotifySender(notifyKey, notifyTemplate, clocktest.Wall)
				n.BaseURL = srv.URL
				s = n
			}
			err := s.Send(context.Background(), "+447700900123", "hi")
			if err == nil || err.Error() != tt.want || IsPermanent(err) != tt.permanent {
				t.Fatalf("err %v (permanent %v), want %q (permanent %v)", err, IsPermanent(err), tt.want, tt.permanent)
			}
		})
	}
}

func TestTwilioSender_SendsTheExactRequest(t *testing.T) {
	text := SurveyText(testBaseURL, PeerSupport)
	escaped := "Thank+you+for+contacting+us.+Please+tell+us+how+it+went+in+a+short+anonymous+survey%3A+https%3A%2F%2Ffeedback.example.org.uk%2Fs%2Fpeer-support"
	tests := []struct {
		name     string
		sender   TwilioSender
		wantBody string
	}{
		{"from a number", TwilioSender{AccountSID: "AC0123456789abcdef0123456789abcdef", AuthToken: "s3cret", From: "+447700900000"},
			"Body=" + escaped + "&From=%2B447700900000&To=%2B447700900123"},
		{"from a messaging service", TwilioSender{AccountSID: "AC0123456789abcdef0123456789abcdef", AuthToken: "s3cret", From: "+447700900000", MessagingServiceSID: "MG99"},
			"Body=" + escaped + "&MessagingServiceSid=MG99&To=%2B447700900123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, srv := newGateway(t, http.StatusCreated, `{"sid":"SM1","status":"queued"}`)
			tt.sender.BaseURL = srv.URL
			if err := tt.sender.Send(context.Background(), "+447700900123", text); err != nil {
				t.Fatal(err)
			}
			if g.method != http.MethodPost || g.path != "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json" {
				t.Errorf("request %s %s", g.method, g.path)
			}
			wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("AC0123456789abcdef0123456789abcdef:s3cret"))
			if got := g.header.Get("Authorization"); got != wantAuth {
				t.Errorf("Authorization %q, want %q", got, wantAuth)
			}
			if got := g.header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type %q", got)
			}
			if g.body != tt.wantBody {
				t.Errorf("body %s\nwant %s", g.body, tt.wantBody)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+447700900123": "+44 7*** ***123",
		"+33612345678":  "+33*** ***678",
		"123":           "***",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
