package intake

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/feedback-service/feedback/notify"
)

// NotifySender sends texts with GOV.UK Notify (API v2). The template must be
// "((message))" alone, so the text checked at start-up is exactly what is sent.
type NotifySender struct {
	notify.Template
}

// NewNotifySender reads an API key of the form {key name}-{service id}-{secret}
// (two UUIDs at the end) and the text template's id.
func NewNotifySender(apiKey, templateID string, now func() time.Time) (*NotifySender, error) {
	t, err := notify.NewTemplate(apiKey, templateID, now)
	if err != nil {
		return nil, err
	}
	return &NotifySender{Template: *t}, nil
}

// Send posts one SMS notification. A refusal keeps Notify's error class, not
// its message (which may quote the number).
func (s *NotifySender) Send(ctx context.Context, to, text string) error {
	err := s.SMS(ctx, s.TemplateID, to, map[string]string{"message": text})
	var refused *notify.Error
	if errors.As(err, &refused) {
		return gatewayError("notify", refused.Status, refused.Code)
	}
	return err
}

func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}
