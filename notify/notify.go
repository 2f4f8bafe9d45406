// Package notify is a small client of GOV.UK Notify's API (v2): a text or an
// e-mail from a template. It belongs to neither side of the privacy wall:
// intake sends survey texts with it and dashboards sends publication notices,
// each with its own template and nothing of the other's.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// BaseURL is GOV.UK Notify's API.
const BaseURL = "https://api.notifications.service.gov.uk"

// Client sends notifications with one API key. It is safe for concurrent use
// once its fields are set.
type Client struct {
	// BaseURL defaults to [BaseURL]; tests point it at a stand-in server.
	BaseURL string
	// HTTP defaults to a client with a 30-second timeout.
	HTTP *http.Client
	// Now stamps the token; Notify refuses one more than 30 s from its own
	// time, so serve passes the wall clock.
	Now func() time.Time

	serviceID, secret string
}

// Template is a client bound to one template: what each sender embeds.
type Template struct {
	Client
	TemplateID string
}

// NewTemplate reads an API key (see [New]) and the id of the template to send.
func NewTemplate(apiKey, templateID string, now func() time.Time) (*Template, error) {
	c, err := New(apiKey, now)
	if err != nil {
		return nil, err
	}
	if templateID == "" {
		return nil, errors.New("notify: no template id")
	}
	return &Template{Client: *c, TemplateID: templateID}, nil
}

var keyPattern = regexp.MustCompile(`^.+-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// New reads an API key of the form {key name}-{service id}-{secret} (two
// UUIDs at the end), with the clock that stamps tokens. The error never
// repeats the key.
func New(apiKey string, now func() time.Time) (*Client, error) {
	m := keyPattern.FindStringSubmatch(apiKey)
	if m == nil {
		return nil, fmt.Errorf("notify: the API key is not {name}-{service id}-{secret key}")
	}
	if now == nil {
		return nil, errors.New("notify: no clock")
	}
	return &Client{BaseURL: BaseURL, Now: now, serviceID: m[1], secret: m[2]}, nil
}

// Error is Notify's refusal: its HTTP status and the class of error it gave
// ("ValidationError"), never its message, which may quote the recipient.
type Error struct {
	Status int
	Code   string
}

func (e *Error) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("notify: HTTP %d (%s)", e.Status, e.Code)
	}
	return fmt.Sprintf("notify: HTTP %d", e.Status)
}

// SMS sends template to a phone number with its personalisation.
func (c *Client) SMS(ctx context.Context, template, phone string, fields map[string]string) error {
	return c.post(ctx, "/v2/notifications/sms", struct {
		PhoneNumber     string            `json:"phone_number"`
		TemplateID      string            `json:"template_id"`
		Personalisation map[string]string `json:"personalisation"`
	}{phone, template, fields})
}

// Email sends template to an e-mail address with its personalisation.
func (c *Client) Email(ctx context.Context, template, address string, fields map[string]string) error {
	return c.post(ctx, "/v2/notifications/email", struct {
		EmailAddress    string            `json:"email_address"`
		TemplateID      string            `json:"template_id"`
		Personalisation map[string]string `json:"personalisation"`
	}{address, template, fields})
}

func (c *Client) post(ctx context.Context, path string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	base := c.BaseURL
	if base == "" {
		base = BaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token())
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	// Notify answers {"errors": [{"error": "ValidationError", "message": ...}]}.
	var problem struct {
		Errors []struct {
			Error string `json:"error"`
		} `json:"errors"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&problem)
	e := &Error{Status: resp.StatusCode}
	if len(problem.Errors) > 0 {
		e.Code = problem.Errors[0].Error
	}
	return e
}

// token is the JWT Notify expects: HS256 over {"iss": service id, "iat": now},
// signed with the secret key. Notify accepts tokens up to 30 seconds old, so
// a fresh one is made for each request.
func (c *Client) token() string {
	now := c.Now
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims := enc.EncodeToString([]byte(`{"iss":"` + c.serviceID + `","iat":` + strconv.FormatInt(now().Unix(), 10) + `}`))
	mac := hmac.New(sha256.New, []byte(c.secret))
	mac.Write([]byte(header + "." + claims))
	return header + "." + claims + "." + enc.EncodeToString(mac.Sum(nil))
}
