package intake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sender sends one text message to a phone number in international form.
type Sender interface {
	Send(ctx context.Context, to, text string) error
}

// PermanentError is a send failure that retrying cannot fix (the gateway
// rejected the number or the request); the outbox gives up at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// gatewayError describes a gateway's refusal by status and code only: the
// gateway's own message can quote the phone number, and errors are logged.
func gatewayError(gateway string, status int, code string) error {
	err := fmt.Errorf("%s: HTTP %d", gateway, status)
	if code != "" {
		err = fmt.Errorf("%s: HTTP %d (%s)", gateway, status, code)
	}
	// 400 means this message will never be accepted (e.g. not a mobile number);
	// anything else (auth, rate limit, outage) may pass later.
	if status == http.StatusBadRequest {
		return &PermanentError{Err: err}
	}
	return err
}

// MaskPhone hides all but the country code, the first digit and the last three
// digits of a number: "+447700900123" becomes "+44 7*** ***123".
func MaskPhone(phone string) string {
	if len(phone) < 8 {
		return "***"
	}
	last := phone[len(phone)-3:]
	if rest, ok := strings.CutPrefix(phone, "+44"); ok {
		return "+44 " + rest[:1] + "*** ***" + last
	}
	return phone[:3] + "*** ***" + last
}
