package intake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// NotifyBaseURL is GOV.UK Notify's API.
const NotifyBaseURL = "https://api.notifications.service.gov.uk"

// NotifySender sends texts with GOV.UK Notify (API v2). The template must be
// "((message))" alone, so the text checked at start-up is exactly what is sent.
type NotifySender struct {
	// BaseURL defaults to NotifyBaseURL; tests point it at a stand-in server.
	BaseURL    string
	TemplateID string
	Client     *http.Client
	// Now stamps the token; defaults to time.Now.
	Now func() time.Time

	serviceID string
	secret    string
}

var notifyKeyPattern = regexp.MustCompile(`^.+-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// NewNotifySender reads an API key of the form {key name}-{service id}-{secret}
// (two UUIDs at the end).
func NewNotifySender(apiKey, templateID string) (*NotifySender, error) {
	m := notifyKeyPattern.FindStringSubmatch(apiKey)
	if m == nil {
		return nil, fmt.Errorf("notify: the API key is not {name}-{service id}-{secret key}")
	}
	if templateID == "" {
		return nil, fmt.Errorf("notify: no template id")
	}
	return &NotifySender{BaseURL: NotifyBaseURL, TemplateID: templateID, serviceID: m[1], secret: m[2]}, nil
}

// token is the JWT Notify expects: HS256 over {"iss": service id, "iat": now},
// signed with the secret key. Notify accepts tokens up to 30 seconds old, so
// a fresh one is made for each request.
func (s *NotifySender) token() string {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims := enc.EncodeToString([]byte(`{"iss":"` + s.serviceID + `","iat":` + strconv.FormatInt(now().Unix(), 10) + `}`))
	mac := hmac.New(sha256.New, []byte(s.secret))
	mac.Write([]byte(header + "." + claims))
	return header + "." + claims + "." + enc.EncodeToString(mac.Sum(nil))
}

// Send posts one SMS notification.
func (s *NotifySender) Send(ctx context.Context, to, text string) error {
	body, err := json.Marshal(struct {
		PhoneNumber     string            `json:"phone_number"`
		TemplateID      string            `json:"template_id"`
		Personalisation map[string]string `json:"personalisation"`
	}{to, s.TemplateID, map[string]string{"message": text}})
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	base := s.BaseURL
	if base == "" {
		base = NotifyBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v2/notifications/sms", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token())
	resp, err := httpClient(s.Client).Do(req)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	// Notify answers {"errors": [{"error": "ValidationError", "message": ...}]};
	// keep the error class, not the message.
	var problem struct {
		Errors []struct {
			Error string `json:"error"`
		} `json:"errors"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&problem)
	code := ""
	if len(problem.Errors) > 0 {
		code = problem.Errors[0].Error
	}
	return gatewayError("notify", resp.StatusCode, code)
}

func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}
