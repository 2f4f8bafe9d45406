package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
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
	Addr           string
	DataDir        string
	BaseURL        string
	MongoURI       string
	StoreAddr      string
	RateLimit      int
	TrustedProxies []string
	SupportPhone   string
	LogFormat      string
	MetricsAddr    string
	AdminEmail     string
	SessionIdle    time.Duration
	SessionMax     time.Duration
	// DisclosureK is the fewest responses a month needs before dashboards show it.
	DisclosureK int

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

	NotifyAPIKey, NotifyTemplateID string

	TwilioAccountSID, TwilioAuthToken, TwilioFrom, TwilioMessagingServiceSID string
}

// setting describes one flag and its environment fallback, for parsing and help.
type setting struct {
	flag, env, def, usage string
}

var settings = []setting{
	{"addr", "FEEDBACK_ADDR", "127.0.0.1:8080", "address to listen on"},
	{"data-dir", "FEEDBACK_DATA_DIR", "./data", "directory of the embedded store (used when MONGODB_URI is empty)"},
	{"base-url", "FEEDBACK_BASE_URL", "", "public base URL used in links, e.g. https://feedback.example.org (default http://<addr>)"},
	{"mongodb-uri", "MONGODB_URI", "", "MongoDB connection string; empty starts the embedded store"},
	{"store-addr", "FEEDBACK_STORE_ADDR", "", "loopback address to expose the embedded store on, so another instance can share it (e.g. 127.0.0.1:27018)"},
	{"rate-limit", "FEEDBACK_RATE_LIMIT", "300", "requests a minute one client address may make to public pages; 0 turns the limit off"},
	{"trusted-proxies", "FEEDBACK_TRUSTED_PROXIES", "", "comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For is believed"},
	{"support-phone", "FEEDBACK_SUPPORT_PHONE", "", "the 24/7 support line shown on every page, e.g. \"0330 123 4567\""},
	{"log-format", "FEEDBACK_LOG_FORMAT", "json", "log format: json or text"},
	{"metrics-addr", "FEEDBACK_METRICS_ADDR", "", "address to serve Prometheus metrics on at /metrics, e.g. 127.0.0.1:9090; empty turns them off"},
	{"admin-email", "FEEDBACK_ADMIN_EMAIL", accounts.DefaultAdminEmail, "e-mail of the administrator created, with a one-time password, when there is none"},
	{"session-idle", "FEEDBACK_SESSION_IDLE", "30m", "a staff session unused for this long ends (at least 1m)"},
	{"session-max", "FEEDBACK_SESSION_MAX", "12h", "a staff session ends this long after sign-in, used or not"},
	{"intake-mongodb-uri", "INTAKE_MONGODB_URI", "", "a separate MongoDB for intake records (identities); empty keeps them in the main store, database " + intake.Database},
	{"intake-retention", "INTAKE_RETENTION", "20y", "intake records are deleted this long after a person's last contact, e.g. 20y, 3650d or 8760h"},
	{"sms-sender", "FEEDBACK_SMS_SENDER", "log", "how survey texts are sent: log (write to the log, number masked), notify (GOV.UK Notify) or twilio"},
	{"notify-api-key", "NOTIFY_API_KEY", "", "GOV.UK Notify API key (secret: prefer the environment variable)"},
	{"notify-template-id", "NOTIFY_TEMPLATE_ID", "", "GOV.UK Notify text template whose whole body is ((message))"},
	{"twilio-account-sid", "TWILIO_ACCOUNT_SID", "", "Twilio account SID"},
	{"twilio-auth-token", "TWILIO_AUTH_TOKEN", "", "Twilio auth token (secret: prefer the environment variable)"},
	{"twilio-from", "TWILIO_FROM", "", "Twilio number texts are sent from, e.g. +447700900123"},
	{"twilio-messaging-service-sid", "TWILIO_MESSAGING_SERVICE_SID", "", "Twilio messaging service to send from instead of TWILIO_FROM"},
	{"disclosure-k", "FEEDBACK_DISCLOSURE_K", "10", "dashboards show nothing of a month with fewer responses than this (at least 5)"},
}

// parseConfig reads flags, falling back to the environment, then defaults.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := map[string]*string{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		values[s.flag] = fs.String(s.flag, def, s.usage+" ["+s.env+"]")
	}
	fs.Usage = func() { usage(stderr, name) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := &Config{
		Addr:         *values["addr"],
		DataDir:      *values["data-dir"],
		BaseURL:      strings.TrimRight(*values["base-url"], "/"),
		MongoURI:     *values["mongodb-uri"],
		StoreAddr:    *values["store-addr"],
		SupportPhone: strings.TrimSpace(*values["support-phone"]),
		LogFormat:    *values["log-format"],
		MetricsAddr:  strings.TrimSpace(*values["metrics-addr"]),
		AdminEmail:   *values["admin-email"],
		Intake: IntakeConfig{
			MongoURI:                  *values["intake-mongodb-uri"],
			SMSSender:                 strings.ToLower(strings.TrimSpace(*values["sms-sender"])),
			NotifyAPIKey:              strings.TrimSpace(*values["notify-api-key"]),
			NotifyTemplateID:          strings.TrimSpace(*values["notify-template-id"]),
			TwilioAccountSID:          strings.TrimSpace(*values["twilio-account-sid"]),
			TwilioAuthToken:           strings.TrimSpace(*values["twilio-auth-token"]),
			TwilioFrom:                strings.TrimSpace(*values["twilio-from"]),
			TwilioMessagingServiceSID: strings.TrimSpace(*values["twilio-messaging-service-sid"]),
		},
	}
	var err error
	if cfg.SessionIdle, err = time.ParseDuration(*values["session-idle"]); err != nil {
		return nil, fmt.Errorf("FEEDBACK_SESSION_IDLE / --session-idle: %q is not a duration like 30m", *values["session-idle"])
	}
	if cfg.SessionMax, err = time.ParseDuration(*values["session-max"]); err != nil {
		return nil, fmt.Errorf("FEEDBACK_SESSION_MAX / --session-max: %q is not a duration like 12h", *values["session-max"])
	}
	if cfg.RateLimit, err = strconv.Atoi(*values["rate-limit"]); err != nil || cfg.RateLimit < 0 {
		return nil, fmt.Errorf("FEEDBACK_RATE_LIMIT / --rate-limit: %q is not a whole number of requests a minute (0 = off)", *values["rate-limit"])
	}
	if cfg.Intake.Retention, err = parseRetention(*values["intake-retention"]); err != nil {
		return nil, fmt.Errorf("INTAKE_RETENTION / --intake-retention: %q is not a period like 20y, 3650d or 8760h", *values["intake-retention"])
	}
	if cfg.DisclosureK, err = strconv.Atoi(*values["disclosure-k"]); err != nil {
		return nil, fmt.Errorf("FEEDBACK_DISCLOSURE_K / --disclosure-k: %q is not a whole number of responses", *values["disclosure-k"])
	}
	for _, p := range strings.Split(*values["trusted-proxies"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	return cfg, cfg.validate()
}

func (c *Config) validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("FEEDBACK_ADDR / --addr: %q is not host:port: %v", c.Addr, err)
	}
	if c.BaseURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			c.BaseURL = "http://localhost" + c.Addr[strings.LastIndexByte(c.Addr, ':'):]
		} else {
			c.BaseURL = "http://" + c.Addr
		}
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("FEEDBACK_BASE_URL / --base-url: %q must be an absolute http(s) URL without query, e.g. https://feedback.example.org", c.BaseURL)
	}
	if c.MongoURI == "" && c.DataDir == "" {
		return errors.New("FEEDBACK_DATA_DIR / --data-dir: needed for the embedded store when MONGODB_URI is empty")
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return errors.New("MONGODB_URI / --mongodb-uri: must start with mongodb:// or mongodb+srv://")
	}
	if c.StoreAddr != "" {
		if c.MongoURI != "" {
			return errors.New("FEEDBACK_STORE_ADDR / --store-addr: only the embedded store can be exposed; unset MONGODB_URI")
		}
		ap, err := netip.ParseAddrPort(c.StoreAddr)
		if err != nil || !ap.Addr().IsLoopback() {
			return fmt.Errorf("FEEDBACK_STORE_ADDR / --store-addr: %q must be a loopback address and port, e.g. 127.0.0.1:27018", c.StoreAddr)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("FEEDBACK_TRUSTED_PROXIES / --trusted-proxies: %q is not an IP address or CIDR range", p)
			}
		}
	}
	if _, err := accounts.NormaliseEmail(c.AdminEmail); err != nil {
		return fmt.Errorf("FEEDBACK_ADMIN_EMAIL / --admin-email: %v", err)
	}
	if c.SessionIdle < time.Minute {
		return fmt.Errorf("FEEDBACK_SESSION_IDLE / --session-idle: %v is shorter than a minute", c.SessionIdle)
	}
	if c.SessionMax < c.SessionIdle {
		return fmt.Errorf("FEEDBACK_SESSION_MAX / --session-max: %v is shorter than the idle timeout %v", c.SessionMax, c.SessionIdle)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("FEEDBACK_METRICS_ADDR / --metrics-addr: %q is not host:port: %v", c.MetricsAddr, err)
		}
		if c.MetricsAddr == c.Addr {
			return errors.New("FEEDBACK_METRICS_ADDR / --metrics-addr: must differ from FEEDBACK_ADDR, so metrics are never published with the site")
		}
	}
	if c.DisclosureK < dashboards.MinK {
		return fmt.Errorf("FEEDBACK_DISCLOSURE_K / --disclosure-k: %d is below %d; a month with so few responses could identify someone", c.DisclosureK, dashboards.MinK)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("FEEDBACK_LOG_FORMAT / --log-format: %q must be json or text", c.LogFormat)
	}
	// The survey text quotes the base URL, and must fit one SMS segment.
	if err := intake.CheckSurveyText(c.BaseURL); err != nil {
		return fmt.Errorf("FEEDBACK_BASE_URL / --base-url: %v", err)
	}
	return c.Intake.validate()
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
