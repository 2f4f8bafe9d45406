package intake

import (
	"context"
	"errors"
	"net/url"
)

// LogSender sends nothing and writes nothing per text: it is for development
// and for trying the service out. A line per text (its time, service and part
// of the number) would be a record of who was texted when, kept in logs that
// outlive the outbox; the outbox's one line per run says how many were "sent".
type LogSender struct{}

// Send drops the text.
func (LogSender) Send(context.Context, string, string) error { return nil }

// ErrLogSenderInProduction refuses the log sender where people expect texts:
// a base URL on https:// is a real deployment, and with the log sender nobody
// would be texted and nothing would say so.
var ErrLogSenderInProduction = errors.New("the log sender sends no survey texts, and the base URL is https://, " +
	"which looks like a real deployment: choose a gateway (notify or twilio), or allow the log sender explicitly")

// CheckLogSender refuses the log sender for an https:// baseURL unless allowed.
// Call it at start-up only when the log sender is chosen.
func CheckLogSender(baseURL string, allowed bool) error {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme != "https" || allowed {
		return nil // a malformed base URL is CheckSurveyText's to report
	}
	return ErrLogSenderInProduction
}
