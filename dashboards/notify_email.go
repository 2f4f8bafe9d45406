package dashboards

import (
	"context"
	"fmt"
	"time"

	"github.com/feedback-service/feedback/notify"
)

// NotifyEmail sends publication notices with GOV.UK Notify's e-mail API
// (v2). Its template receives two fields only, ((month)) and ((link)).
type NotifyEmail struct {
	notify.Template
}

// NewNotifyEmail reads an API key ({name}-{service id}-{secret}) and the
// e-mail template's id.
func NewNotifyEmail(apiKey, templateID string, now func() time.Time) (*NotifyEmail, error) {
	t, err := notify.NewTemplate(apiKey, templateID, now)
	if err != nil {
		return nil, fmt.Errorf("notify e-mail: %w", err)
	}
	return &NotifyEmail{Template: *t}, nil
}

// SendPublished e-mails one notice.
func (n *NotifyEmail) SendPublished(ctx context.Context, to, month, link string) error {
	return n.Email(ctx, n.TemplateID, to, map[string]string{"month": month, "link": link})
}
