package dashboards

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

// NotifyEmail sends publication notices with GOV.UK Notify's e-mail API
// (v2). Its template receives two fields only, ((month)) and ((link)).
type NotifyEmail struct {
	// BaseURL defaults to Notify's API; tests point it at a stand-in server.
	BaseURL    string
	TemplateID string
	Client     *http.Client
	Now        func() time.Time

	serviceID, secret string
}

var notifyAPIKey = regexp.MustCompile(`^.+-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// NewNotifyEmail reads an API key ({name}-{service id}-{secret}) and the
// e-mail template's id.
func NewNotifyEmail(apiKey, templateID string) (*NotifyEmail, error) {
	m := notifyAPIKey.FindStringSubmatch(apiKey)
	if m == nil {
		return nil, fmt.Errorf("notify e-mail: the API key is not {name}-{service id}-{secret key}")
	}
	if templateID == "" {
		return nil, fmt.Errorf("notify e-mail: no template id")
	}
	return &NotifyEmail{BaseURL: "https://api.notifications.service.gov.uk", TemplateID: templateID, serviceID: m[1], secret: m[2]}, nil
}

// token is Notify's JWT: HS256 over {"iss": service id, "iat": now}.
func (n *NotifyEmail) token() string {
	now := time.Now
	if n.Now != nil {
		now = n.Now
	}
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims := enc.EncodeToString([]byte(`{"iss":"` + n.serviceID + `","iat":` + strconv.FormatInt(now().Unix(), 10) + `}`))
	mac := hmac.New(sha256.New, []byte(n.secret))
	mac.Write([]byte(header + "." + claims))
	return header + "." + claims + "." + enc.EncodeToString(mac.Sum(nil))
}

// SendPublished e-mails one notice.
func (n *NotifyEmail) SendPublished(ctx context.Context, to, month, link string) error {
	body, err := json.Marshal(struct {
		EmailAddress    string            `json:"email_address"`
		TemplateID      string            `json:"template_id"`
		Personalisation map[string]string `json:"personalisation"`
	}{to, n.TemplateID, map[string]string{"month": month, "link": link}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.BaseURL+"/v2/notifications/email", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify e-mail: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+n.token())
	client := n.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify e-mail: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("notify e-mail: status %d", resp.StatusCode)
	}
	return nil
}
