package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/feedback-service/feedback/notify"
)

// E-mail invitations: a caller who gave an e-mail address and agreed to a
// survey invitation by e-mail gets it by e-mail instead of by text. One
// invitation per contact, whatever the channel: the caller chose e-mail, two
// invitations would double the survey side's invitation count, and the 30-day
// rule is per person. The address goes in the outbox only until the e-mail is
// sent or given up, exactly like a phone number.

// What closing a contact can do about an invitation by e-mail.
const (
	// TextEmailQueued: the caller agreed to an invitation by e-mail and one is
	// in the outbox.
	TextEmailQueued SurveyTextStatus = "email-queued"
	// TextEmailUnavailable: the caller agreed to an invitation by e-mail only,
	// and e-mail invitations were turned off before the contact closed; the
	// call handler can give a one-off link instead.
	TextEmailUnavailable SurveyTextStatus = "email-unavailable"
)

// EmailSender sends one e-mail to an address.
type EmailSender interface {
	SendEmail(ctx context.Context, to, subject, body string) error
}

// The e-mail's words, like the text's, say nothing about the person or the
// contact. The Welsh e-mail links to the survey in Welsh.
const (
	emailSubject      = "How did it go? A short anonymous survey"
	emailBodyFormat   = "Thank you for contacting us.\n\nPlease tell us how it went in a short anonymous survey. It takes about two minutes, and your answers cannot be linked to you:\n\n%s"
	welshEmailSubject = "Sut aeth hi? Arolwg byr dienw"
	welshEmailFormat  = "Diolch am gysylltu â ni.\n\nDywedwch wrthym sut aeth hi mewn arolwg byr dienw. Mae'n cymryd tua dau funud, ac ni ellir cysylltu eich atebion â chi:\n\n%s"
)

// SurveyEmailIn is the subject and body of the survey invitation by e-mail,
// in lang, around link (a single-use invitation or the service's survey link).
func SurveyEmailIn(link string, lang Language) (subject, body string) {
	if lang == Welsh {
		return welshEmailSubject, fmt.Sprintf(welshEmailFormat, link+welshQuery)
	}
	return emailSubject, fmt.Sprintf(emailBodyFormat, link)
}

// NotifyEmailSender sends e-mails with GOV.UK Notify (API v2). The template's
// subject must be ((subject)) and its body ((message)), so what is sent is
// exactly what SurveyEmailIn wrote, in either language.
type NotifyEmailSender struct {
	notify.Template
}

// NewNotifyEmailSender reads a Notify API key and the e-mail template's id.
func NewNotifyEmailSender(apiKey, templateID string, now func() time.Time) (*NotifyEmailSender, error) {
	t, err := notify.NewTemplate(apiKey, templateID, now)
	if err != nil {
		return nil, err
	}
	return &NotifyEmailSender{Template: *t}, nil
}

// SendEmail posts one e-mail notification. A refusal keeps Notify's error
// class, not its message (which may quote the address).
func (s *NotifyEmailSender) SendEmail(ctx context.Context, to, subject, body string) error {
	err := s.Email(ctx, s.TemplateID, to, map[string]string{"subject": subject, "message": body})
	var refused *notify.Error
	if errors.As(err, &refused) {
		return gatewayError("notify", refused.Status, refused.Code)
	}
	return err
}

// SendEmail drops the e-mail and writes nothing, as Send does for a text.
func (LogSender) SendEmail(context.Context, string, string, string) error { return nil }

// UseEmail sends invitations by e-mail through sender to callers who agreed
// to one, and lets the contact form offer it. Call it before serving.
func (o *Outbox) UseEmail(sender EmailSender) {
	o.email = sender
	o.store.emailInvitations.Store(sender != nil)
}

// EmailInvitations reports whether invitations can go by e-mail (an e-mail
// sender is configured); when not, the contact form does not offer them.
func (s *Store) EmailInvitations() bool { return s.emailInvitations.Load() }

// errNoEmailSender fails an e-mail entry queued before e-mail was turned off:
// given up and counted as failed, never dropped silently.
var errNoEmailSender = &PermanentError{Err: errors.New("e-mail invitations are not configured")}

// sendEmail e-mails e's survey link, a fresh invitation link when invitations are on.
func (o *Outbox) sendEmail(ctx context.Context, e OutboxEntry, link string) error {
	if o.email == nil {
		return errNoEmailSender
	}
	subject, body := SurveyEmailIn(link, e.Language)
	return o.email.SendEmail(ctx, e.Email, subject, body)
}
