package notify

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testKey = "feedback_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"

// testJWT was computed independently (Python hmac) for iat 1795428000.
const testJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiIyNjc4NWEwOS1hYjE2LTRlYjAtODQwNy1hMzc0OTdhNTc1MDYiLCJpYXQiOjE3OTU0MjgwMDB9.GQQ6yA3h-hkc8urSxaxGNWvGRQApvH7C2lALX3JUekg"

func TestEmail_SendsTheExactRequest(t *testing.T) {
	var path, auth, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, auth, body = r.URL.Path, r.Header.Get("Authorization"), string(b)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	c, err := New(testKey, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL, c.Now = srv.URL, func() time.Time { return time.Unix(1795428000, 0) }
	if err := c.Email(context.Background(), "tmpl", "lead@example.nhs.uk", map[string]string{"month": "October 2026"}); err != nil {
		t.Fatal(err)
	}
	want := `{"email_address":"lead@example.nhs.uk","template_id":"tmpl","personalisation":{"month":"October 2026"}}`
	if path != "/v2/notifications/email" || auth != "Bearer "+testJWT || body != want {
		t.Fatalf("request %s %q %s", path, auth, body)
	}
}

func TestRefusal_KeepsTheErrorClassNotTheMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"errors":[{"error":"ValidationError","message":"email_address lead@example.nhs.uk is not valid"}]}`)
	}))
	defer srv.Close()
	c, _ := New(testKey, time.Now)
	c.BaseURL = srv.URL
	err := c.Email(context.Background(), "tmpl", "lead@example.nhs.uk", nil)
	var refused *Error
	if !errors.As(err, &refused) || refused.Status != 400 || refused.Code != "ValidationError" || strings.Contains(err.Error(), "lead@") {
		t.Fatalf("err %v", err)
	}
}

func TestNew_RefusesMalformedKeysWithoutQuotingThem(t *testing.T) {
	for _, key := range []string{"", "just-a-name", "name-26785a09-ab16-4eb0-8407-a37497a57506", strings.ToUpper(testKey)} {
		if _, err := New(key, time.Now); err == nil || (key != "" && strings.Contains(err.Error(), key)) {
			t.Errorf("key %q: %v", key, err)
		}
	}
}
