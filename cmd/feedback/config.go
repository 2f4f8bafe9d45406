package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/store"
)

// Config is every setting of `feedback serve`: a flag each, with an environment
// variable as fallback, checked once at start-up.
type Config struct {
	Addr      string
	DataDir   string
	BaseURL   string
	MongoURI  string
	StoreAddr string
	RateLimit int
	// SubmissionsPerMinute and SubmissionsPerHour limit the answers one
	// sender may send to one survey; 0 in either turns that limit off.
	SubmissionsPerMinute, SubmissionsPerHour int
	TrustedProxies                           []string
	SupportPhone                             string
	LogFormat                                string
	MetricsAddr                              string
	AdminEmail                               string
	SessionIdle                              time.Duration
	SessionMax                               time.Duration
	// DisclosureK is the fewest responses a month needs before dashboards show it.
	DisclosureK int
	// OpenK is the fewest open responses (through no invitation) a quarter's
	// group is published with; 0 means 5×DisclosureK.
	OpenK int
	// OrganisationCode is the ODS code written in the FFT return; ThemesFile
	// replaces the embedded rules that tag comments with themes.
	OrganisationCode string
	ThemesFile       string
	// SafeguardingGuidance is shown to quality leads with the comments that
	// spoke of risk; empty means dashboards.DefaultSafeguardingGuidance.
	SafeguardingGuidance string
	// PublicationTemplateID is the GOV.UK Notify e-mail template of the
	// notice that a month is published (fields ((month)) and ((link))); empty
	// sends none. It uses NOTIFY_API_KEY.
	PublicationTemplateID string
	// Invitations puts a single-use invitation in every survey text; off, texts
	// carry the plain service link. InvitationTTL is how long one is good for.
	Invitations   bool
	InvitationTTL time.Duration

	// OfficePhone and OfficeEmail are shown on the survey's thank-you page,
	// for a reply or a complaint, when set.
	OfficePhone, OfficeEmail string

	Intake IntakeConfig
}

// IntakeConfig is where intake records live, how survey texts are sent and how
// long records are kept. Its secrets are never logged or printed.
type IntakeConfig struct {
	// MongoURI is a separate MongoDB for intake records; empty means the main
	// store, in the database intake.Database.
	MongoURI  string
	SMSSender string // log, notify or twilio
	Retention time.Duration
	// PeerSurveyAfter: a peer-support survey text goes this long after the
	// details were given when no conversation has been recorded.
	PeerSurveyAfter time.Duration

	NotifyAPIKey, NotifyTemplateID string
	// NotifyEmailTemplateID is the GOV.UK Notify e-mail template of survey
	// invitations by e-mail (subject ((subject)), body ((message))); empty
	// means the contact form does not offer them.
	NotifyEmailTemplateID string
	// SMSLogAllowed lets the log sender (which sends nothing) run on an https
	// base URL.
	SMSLogAllowed bool

	TwilioAccountSID, TwilioAuthToken, TwilioFrom, TwilioMessagingServiceSID string
}

// A setting is one flag with its environment variable, bound to the Config
// field it fills: set parses a value into that field, so no setting is ever
// looked up by name.
type setting struct {
	flag, env, def, usage string
	set                   func(string) error
	// want says what a value must look like, for the message when set fails.
	want string
}

// settings lists every setting, for help and for tests that check the
// deployment files; parseConfig binds a fresh list to the Config it fills.
var settings = new(Config).settings()

// settings binds every setting to its field of c. To add one: a field, a line
// here, a check in validate if it has rules, and a row in the README.
func (c *Config) settings() []setting {
	in := &c.Intake
	return []setting{
		text(&c.Addr, "addr", "FEEDBACK_ADDR", "127.0.0.1:8080", "address to listen on"),
		text(&c.DataDir, "data-dir", "FEEDBACK_DATA_DIR", "./data", "directory of the embedded store (used when MONGODB_URI is empty)"),
		cleaned(&c.BaseURL, func(v string) string { return strings.TrimRight(v, "/") }, "base-url", "FEEDBACK_BASE_URL", "",
			"public base URL used in links, e.g. https://feedback.example.org (default http://<addr>)"),
		text(&c.MongoURI, "mongodb-uri", "MONGODB_URI", "", "MongoDB connection string; empty starts the embedded store"),
		text(&c.StoreAddr, "store-addr", "FEEDBACK_STORE_ADDR", "", "loopback address to expose the embedded store on, so another instance can share it (e.g. 127.0.0.1:27018)"),
		parsed(&c.RateLimit, atLeastZero, "a whole number of requests a minute (0 = off)",
			"rate-limit", "FEEDBACK_RATE_LIMIT", "300", "requests a minute one client address may make to public pages; 0 turns the limit off"),
		parsed(&c.SubmissionsPerMinute, atLeastZero, "a whole number of answers a minute (0 = off)", "submissions-per-minute", "FEEDBACK_SUBMISSIONS_PER_MINUTE", "5",
			"answers one sender (an address and survey for open answers; an invitation or token for invited ones) may send in a minute; 0 turns the per-sender limit off"),
		parsed(&c.SubmissionsPerHour, atLeastZero, "a whole number of answers an hour (0 = off)", "submissions-per-hour", "FEEDBACK_SUBMISSIONS_PER_HOUR", "20",
			"answers one sender may send in an hour; 0 turns the per-sender limit off"),
		parsed(&c.TrustedProxies, commaList, "", "trusted-proxies", "FEEDBACK_TRUSTED_PROXIES", "", "comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For is believed"),
		trimmed(&c.SupportPhone, "support-phone", "FEEDBACK_SUPPORT_PHONE", "", "the 24/7 support line shown on every page, e.g. \"0330 123 4567\" (required on an https:// base URL)"),
		trimmed(&c.OfficePhone, "office-phone", "FEEDBACK_OFFICE_PHONE", "", "the office number the survey's thank-you page gives for a reply or a complaint, e.g. \"020 7946 0000\""),
		trimmed(&c.OfficeEmail, "office-email", "FEEDBACK_OFFICE_EMAIL", "", "the office e-mail address the survey's thank-you page gives for a reply or a complaint"),
		text(&c.LogFormat, "log-format", "FEEDBACK_LOG_FORMAT", "json", "log format: json or text"),
		trimmed(&c.MetricsAddr, "metrics-addr", "FEEDBACK_METRICS_ADDR", "", "address to serve Prometheus metrics on at /metrics, e.g. 127.0.0.1:9090; empty turns them off"),
		text(&c.AdminEmail, "admin-email", "FEEDBACK_ADMIN_EMAIL", accounts.DefaultAdminEmail, "e-mail of the administrator created, with a one-time password, when there is none"),
		parsed(&c.SessionIdle, time.ParseDuration, "a duration like 30m", "session-idle", "FEEDBACK_SESSION_IDLE", "30m", "a staff session unused for this long ends (at least 1m)"),
		parsed(&c.SessionMax, time.ParseDuration, "a duration like 12h", "session-max", "FEEDBACK_SESSION_MAX", "12h", "a staff session ends this long after sign-in, used or not"),
		text(&in.MongoURI, "intake-mongodb-uri", "INTAKE_MONGODB_URI", "", "a separate MongoDB for intake records (identities); empty keeps them in the main store, database "+intake.Database),
		parsed(&in.Retention, parseRetention, "a period like 20y, 3650d or 8760h",
			"intake-retention", "INTAKE_RETENTION", "20y", "intake records are deleted this long after a person's last contact, e.g. 20y, 3650d or 8760h"),
		parsed(&in.PeerSurveyAfter, parseRetention, "a period like 14d or 336h", "intake-peer-survey-after", "INTAKE_PEER_SURVEY_AFTER", "14d",
			"a peer-support survey text goes after the first conversation is recorded, or this long after the details were given if none is"),
		cleaned(&in.SMSSender, func(v string) string { return strings.ToLower(strings.TrimSpace(v)) }, "sms-sender", "FEEDBACK_SMS_SENDER", "log",
			"how survey texts are sent: log (write to the log, number masked), notify (GOV.UK Notify) or twilio"),
		trimmed(&in.NotifyAPIKey, "notify-api-key", "NOTIFY_API_KEY", "", "GOV.UK Notify API key (secret: prefer the environment variable)"),
		trimmed(&in.NotifyTemplateID, "notify-template-id", "NOTIFY_TEMPLATE_ID", "", "GOV.UK Notify text template whose whole body is ((message))"),
		trimmed(&in.NotifyEmailTemplateID, "intake-notify-email-template-id", "INTAKE_NOTIFY_EMAIL_TEMPLATE_ID", "",
			"GOV.UK Notify e-mail template for survey invitations by e-mail (subject ((subject)), body ((message))); empty: the contact form does not offer them"),
		trimmed(&in.TwilioAccountSID, "twilio-account-sid", "TWILIO_ACCOUNT_SID", "", "Twilio account SID"),
		trimmed(&in.TwilioAuthToken, "twilio-auth-token", "TWILIO_AUTH_TOKEN", "", "Twilio auth token (secret: prefer the environment variable)"),
		trimmed(&in.TwilioFrom, "twilio-from", "TWILIO_FROM", "", "Twilio number texts are sent from, e.g. +447700900123"),
		trimmed(&in.TwilioMessagingServiceSID, "twilio-messaging-service-sid", "TWILIO_MESSAGING_SERVICE_SID", "", "Twilio messaging service to send from instead of TWILIO_FROM"),
		parsed(&c.DisclosureK, strconv.Atoi, "a whole number of responses",
			"disclosure-k", "FEEDBACK_DISCLOSURE_K", "10", "dashboards show nothing of a month with fewer responses than this (at least 5)"),
		parsed(&c.OpenK, strconv.Atoi, "a whole number of responses",
			"open-k", "FEEDBACK_OPEN_K", "0", "open answers (through no invitation, so anyone can add to them) are published by quarter, in groups of at least this many; 0 means 5 × --disclosure-k"),
		cleaned(&c.OrganisationCode, func(v string) string { return strings.ToUpper(strings.TrimSpace(v)) }, "organisation-code", "FEEDBACK_ORGANISATION_CODE", "",
			"the organisation's ODS code, written in every row of the monthly FFT return"),
		trimmed(&c.PublicationTemplateID, "publication-email-template-id", "FEEDBACK_PUBLICATION_EMAIL_TEMPLATE_ID", "",
			"GOV.UK Notify e-mail template telling quality leads who opted in that a month is published (fields ((month)) and ((link)); no figures); empty sends none"),
		trimmed(&c.ThemesFile, "themes-file", "FEEDBACK_THEMES_FILE", "", "a file of rules that tag comments with themes, replacing the built-in ones (format: dashboards/themes.txt)"),
		cleaned(&c.SafeguardingGuidance, dashboards.CleanGuidance, "safeguarding-guidance", "FEEDBACK_SAFEGUARDING_GUIDANCE", "",
			"plain text shown to quality leads with the comments that spoke of risk: your safeguarding policy and lead (paragraphs split by a blank line, or \\n\\n); empty shows a built-in text saying the writer cannot be identified or contacted, to follow the safeguarding policy, consider what the service should change and talk to the safeguarding lead"),
		parsed(&c.Invitations, onOff, "on or off", "invitations", "FEEDBACK_INVITATIONS", "on",
			"on: every survey text carries a single-use invitation, and answers through one count as verified; off: texts carry the plain service link"),
		parsed(&c.InvitationTTL, parseInvitationTTL, "whole days like 14d", "invitation-ttl", "FEEDBACK_INVITATION_TTL", "14d",
			"how long an invitation in a survey text can be used, in whole days (1d to 366d)"),
		parsed(&in.SMSLogAllowed, onOff, "true or false", "sms-log-allowed", "FEEDBACK_SMS_LOG_ALLOWED", "false",
			"allow the log sender, which sends no texts, on an https:// base URL (a staging deployment)"),
	}
}

// onOff reads a switch: on, true, yes or 1; off, false, no or 0.
func onOff(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is neither on nor off", v)
}

// parsed binds a setting of any type to *p, read by parse.
func parsed[T any](p *T, parse func(string) (T, error), want, flag, env, def, usage string) setting {
	return setting{flag: flag, env: env, def: def, usage: usage, want: want, set: func(v string) error {
		got, err := parse(v)
		if err == nil {
			*p = got
		}
		return err
	}}
}

// cleaned binds a text setting, tidied by clean.
func cleaned(p *string, clean func(string) string, flag, env, def, usage string) setting {
	return parsed(p, func(v string) (string, error) { return clean(v), nil }, "", flag, env, def, usage)
}

// text binds a text setting, kept as given.
func text(p *string, flag, env, def, usage string) setting {
	return cleaned(p, func(v string) string { return v }, flag, env, def, usage)
}

// trimmed binds a text setting without the spaces around it.
func trimmed(p *string, flag, env, def, usage string) setting {
	return cleaned(p, strings.TrimSpace, flag, env, def, usage)
}

func atLeastZero(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n < 0 {
		err = errors.New("negative")
	}
	return n, err
}

// commaList is a list of values separated by commas, blanks left out.
func commaList(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// parseConfig reads flags, falling back to the environment, then defaults;
// fills in the defaults that depend on other settings; and checks the result.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &Config{}
	list := cfg.settings()
	raw := make([]*string, len(list))
	for i, s := range list {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		raw[i] = fs.String(s.flag, def, s.usage+" ["+s.env+"]")
	}
	fs.Usage = func() { usage(stderr, name) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for i, s := range list {
		if err := s.set(*raw[i]); err != nil {
			return nil, fmt.Errorf("%s / --%s: %q is not %s", s.env, s.flag, *raw[i], s.want)
		}
	}
	cfg.fillDefaults()
	return cfg, cfg.validate()
}

// fillDefaults sets what defaults to other settings: the base URL is the
// listening address, or localhost when that is every interface.
func (c *Config) fillDefaults() {
	host, _, err := net.SplitHostPort(c.Addr)
	if c.BaseURL != "" || err != nil {
		return // a bad address is validate's to report
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		c.BaseURL = "http://localhost" + c.Addr[strings.LastIndexByte(c.Addr, ':'):]
	} else {
		c.BaseURL = "http://" + c.Addr
	}
}

// checkSupportPhone refuses production (an https:// base URL) without the
// service's own 24/7 line: the survey shows only national lines without it.
func checkSupportPhone(phone, scheme string) error {
	if scheme == "https" && phone == "" {
		return errors.New("FEEDBACK_SUPPORT_PHONE / --support-phone: required on an https:// base URL (production): " +
			"the survey pages give it to people who may need help now, e.g. FEEDBACK_SUPPORT_PHONE=\"0330 123 4567\"")
	}
	return nil
}

func usage(w io.Writer, name string) {
	fmt.Fprintf(w, "Usage: %s [flags]\n\nEvery flag can also be set by the environment variable in brackets.\n\n", name)
	for _, s := range settings {
		def := ""
		if s.def != "" {
			def = " (default " + strconv.Quote(s.def) + ")"
		}
		fmt.Fprintf(w, "  --%-16s %s%s\n  %-18s [%s]\n", s.flag, s.usage, def, "", s.env)
	}
}

func envOrEmpty(key string) string { return os.Getenv(key) }

// storeConfig reads where the data lives for commands other than serve: the
// --data-dir and --mongodb-uri flags, wherever they stand among the command's
// own arguments, with the same environment fallbacks as serve.
func storeConfig(args []string, getenv func(string) string) (store.Config, []string, error) {
	cfg := store.Config{DataDir: "./data", URI: getenv("MONGODB_URI")}
	if v := getenv("FEEDBACK_DATA_DIR"); v != "" {
		cfg.DataDir = v
	}
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || (name != "data-dir" && name != "mongodb-uri") {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return cfg, nil, fmt.Errorf("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if name == "data-dir" {
			cfg.DataDir = value
		} else {
			cfg.URI = value
		}
	}
	return cfg, rest, nil
}
