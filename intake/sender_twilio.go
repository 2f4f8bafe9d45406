package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// TwilioBaseURL is Twilio's REST API.
const TwilioBaseURL = "https://api.twilio.com"

// TwilioSender sends texts with Twilio's Messages API, from a number (From) or
// a messaging service (MessagingServiceSID, used when set).
type TwilioSender struct {
	// BaseURL defaults to TwilioBaseURL; tests point it at a stand-in server.
	BaseURL             string
	AccountSID          string
	AuthToken           string
	From                string
	MessagingServiceSID string
	Client              *http.Client
}

// Send posts one message.
func (s *TwilioSender) Send(ctx context.Context, to, text string) error {
	form := url.Values{"To": {to}, "Body": {text}}
	if s.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", s.MessagingServiceSID)
	} else {
		form.Set("From", s.From)
	}
	base := s.BaseURL
	if base == "" {
		base = TwilioBaseURL
	}
	endpoint := base + "/2010-04-01/Accounts/" + url.PathEscape(s.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("twilio: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.AccountSID, s.AuthToken)
	resp, err := httpClient(s.Client).Do(req)
	if err != nil {
		return fmt.Errorf("twilio: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	// Twilio answers {"code": 21211, "message": "The 'To' number +44... is not valid"}:
	// the message quotes the number, so keep only the code.
	var problem struct {
		Code int `json:"code"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&problem)
	code := ""
	if problem.Code != 0 {
		code = "code " + strconv.Itoa(problem.Code)
	}
	return gatewayError("twilio", resp.StatusCode, code)
}
