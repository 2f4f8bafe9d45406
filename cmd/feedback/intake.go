package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// The SMS senders FEEDBACK_SMS_SENDER may name.
const (
	senderLog    = "log"
	senderNotify = "notify"
	senderTwilio = "twilio"
)

// validate checks the intake settings. Messages name the setting, never its
// value when that is a secret or a connection string (which may hold a password).
func (c IntakeConfig) validate() error {
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return errors.New("INTAKE_MONGODB_URI / --intake-mongodb-uri: must start with mongodb:// or mongodb+srv://")
	}
	if c.Retention < 24*time.Hour {
		return fmt.Errorf("INTAKE_RETENTION / --intake-retention: %v is shorter than a day", c.Retention)
	}
	var err error
	switch c.SMSSender {
	case senderLog:
	case senderNotify:
		err = c.validateNotify()
	case senderTwilio:
		err = c.validateTwilio()
	default:
		err = fmt.Errorf("FEEDBACK_SMS_SENDER / --sms-sender: %q must be log, notify or twilio", c.SMSSender)
	}
	if err != nil {
		return err
	}
	_, err = c.emailSender()
	return err
}

// emailSender builds the sender of survey invitations by e-mail: none without
// INTAKE_NOTIFY_EMAIL_TEMPLATE_ID; the log sender (which sends nothing) beside
// the log SMS sender; else GOV.UK Notify, which needs NOTIFY_API_KEY.
func (c IntakeConfig) emailSender() (intake.EmailSender, error) {
	switch {
	case c.NotifyEmailTemplateID == "":
		return nil, nil
	case c.SMSSender == senderLog:
		return intake.LogSender{}, nil
	case c.NotifyAPIKey == "":
		return nil, errors.New("NOTIFY_API_KEY: needed when INTAKE_NOTIFY_EMAIL_TEMPLATE_ID is set (survey invitations by e-mail go through GOV.UK Notify)")
	}
	s, err := intake.NewNotifyEmailSender(c.NotifyAPIKey, c.NotifyEmailTemplateID, time.Now)
	if err != nil {
		return nil, errors.New("NOTIFY_API_KEY: not a GOV.UK Notify API key (expected {key name}-{service id}-{secret key}), needed by INTAKE_NOTIFY_EMAIL_TEMPLATE_ID")
	}
	return s, nil
}

// validateNotify checks the GOV.UK Notify settings the notify sender needs.
func (c IntakeConfig) validateNotify() error {
	if c.NotifyAPIKey == "" {
		return errors.New("NOTIFY_API_KEY: needed when FEEDBACK_SMS_SENDER is notify")
	}
	if c.NotifyTemplateID == "" {
		return errors.New("NOTIFY_TEMPLATE_ID: needed when FEEDBACK_SMS_SENDER is notify (a text template whose body is ((message)))")
	}
	if _, err := intake.NewNotifySender(c.NotifyAPIKey, c.NotifyTemplateID, time.Now); err != nil {
		return errors.New("NOTIFY_API_KEY: not a GOV.UK Notify API key (expected {key name}-{service id}-{secret key})")
	}
	return nil
}

// validateTwilio checks the Twilio settings the twilio sender needs.
func (c IntakeConfig) validateTwilio() error {
	if !strings.HasPrefix(c.TwilioAccountSID, "AC") {
		return errors.New("TWILIO_ACCOUNT_SID: needed when FEEDBACK_SMS_SENDER is twilio, and starts with AC")
	}
	if c.TwilioAuthToken == "" {
		return errors.New("TWILIO_AUTH_TOKEN: needed when FEEDBACK_SMS_SENDER is twilio")
	}
	if c.TwilioFrom == "" && c.TwilioMessagingServiceSID == "" {
		return errors.New("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: one is needed when FEEDBACK_SMS_SENDER is twilio")
	}
	if c.TwilioMessagingServiceSID != "" && !strings.HasPrefix(c.TwilioMessagingServiceSID, "MG") {
		return errors.New("TWILIO_MESSAGING_SERVICE_SID: a messaging service SID starts with MG")
	}
	return nil
}

// checkSMSLogAllowed refuses the log sender (no texts sent) when the base URL is
// https://, a real deployment, unless FEEDBACK_SMS_LOG_ALLOWED says it is meant.
func checkSMSLogAllowed(smsSender, baseURL string, logAllowed bool) error {
	if smsSender != senderLog {
		return nil
	}
	if err := intake.CheckLogSender(baseURL, logAllowed); err != nil {
		return fmt.Errorf("FEEDBACK_SMS_SENDER / --sms-sender: %w (FEEDBACK_SMS_LOG_ALLOWED=true)", err)
	}
	return nil
}

// parseRetention reads a period in years ("20y"), days ("3650d") or any Go
// duration ("8760h"). A year is 365 days.
func parseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"y": 365 * 24 * time.Hour, "d": 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, errors.New("not a positive whole number")
			}
			return time.Duration(v) * unit, nil
		}
	}
	return time.ParseDuration(s)
}

// sender builds the configured SMS sender. validate has checked its settings.
func (c IntakeConfig) sender() (intake.Sender, error) {
	switch c.SMSSender {
	case senderNotify:
		s, err := intake.NewNotifySender(c.NotifyAPIKey, c.NotifyTemplateID, time.Now)
		if err != nil {
			return nil, errors.New("NOTIFY_API_KEY: not a GOV.UK Notify API key")
		}
		return s, nil
	case senderTwilio:
		return &intake.TwilioSender{AccountSID: c.TwilioAccountSID, AuthToken: c.TwilioAuthToken,
			From: c.TwilioFrom, MessagingServiceSID: c.TwilioMessagingServiceSID}, nil
	}
	return intake.LogSender{}, nil
}

// intakeSide is the intake store with its background work: the survey-text
// outbox and the daily retention purge.
type intakeSide struct {
	Store  *intake.Store
	outbox *intake.Outbox
	own    *store.Store // the separate intake database, when INTAKE_MONGODB_URI is set
	logger *slog.Logger
	jobs   *scheduler
}

// openIntake opens the intake database (its own client when INTAKE_MONGODB_URI
// is set, else another database of st), ensures its indexes and builds the outbox.
func openIntake(ctx context.Context, cfg *Config, st *store.Store, logger *slog.Logger) (*intakeSide, error) {
	side := &intakeSide{logger: logger}
	db := st.Database(intake.Database)
	if cfg.Intake.MongoURI != "" {
		own, err := store.Open(ctx, store.Config{URI: cfg.Intake.MongoURI})
		if err != nil {
			return nil, fmt.Errorf("intake database (INTAKE_MONGODB_URI): %w", err)
		}
		side.own, db = own, own.Database(intake.Database)
	}
	side.Store = intake.New(db, time.Now)
	side.Store.Retention = cfg.Intake.Retention
	side.Store.PeerSurveyAfter = cfg.Intake.PeerSurveyAfter
	if err := side.Store.EnsureIndexes(ctx); err != nil {
		side.close()
		return nil, err
	}
	sender, err := cfg.Intake.sender()
	if err != nil {
		side.close()
		return nil, err
	}
	if side.outbox, err = intake.NewOutbox(side.Store, sender, survey.NewInvitationCounts(st.Database(store.SurveyDatabase)), cfg.BaseURL); err != nil {
		side.close()
		return nil, fmt.Errorf("FEEDBACK_BASE_URL / --base-url: %w", err)
	}
	side.outbox.Logger = logger
	email, err := cfg.Intake.emailSender()
	if err != nil {
		side.close()
		return nil, err
	}
	if email != nil {
		side.outbox.UseEmail(email)
	}
	return side, nil
}

// start runs the outbox and the daily purge until stop.
func (s *intakeSide) start() {
	s.jobs = newScheduler(s.logger)
	// The outbox logs its own runs; each send has its own timeout, so a run has none.
	s.jobs.start(job{Name: "survey text outbox", Every: s.outbox.Interval,
		Run: func(ctx context.Context) error { s.outbox.RunOnce(ctx); return nil }})
	// The purge scans the intake collections, so it stays off start-up: a
	// minute after, then once a day.
	s.jobs.start(job{Name: "intake retention purge", After: time.Minute, Every: 24 * time.Hour, Timeout: 30 * time.Minute, Run: s.purge})
}

// stop ends the background work, waits for it, and closes the separate client.
func (s *intakeSide) stop() {
	if s.jobs != nil {
		s.jobs.stop()
	}
	s.close()
}

func (s *intakeSide) close() {
	if s.own != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.own.Close(ctx)
		s.own = nil
	}
}

// purge deletes records past the retention period, and logs how many.
func (s *intakeSide) purge(ctx context.Context) error {
	// A large purge (the first after a long gap) logs each batch of 1,000 people.
	res, err := s.Store.PurgeWithProgress(ctx, func(p intake.Purged) {
		s.logger.Info("intake retention purge: erased so far", "people", p.People, "contacts", p.Contacts)
	})
	if err == nil && res != (intake.Purged{}) {
		s.logger.Info("intake retention purge", "people", res.People, "contacts", res.Contacts)
	}
	return err
}
