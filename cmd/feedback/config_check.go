package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
)

// The checks of a configuration, once it is read: each names the setting at
// fault (flag and environment variable) and what it should be.

// validate checks every setting, changing nothing; each message names the
// setting by its environment variable and flag.
func (c *Config) validate() error {
	for _, check := range []func() error{c.validateNetwork, c.validateStore, c.validateStaff, c.validateDashboards} {
		if err := check(); err != nil {
			return err
		}
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

// validateNetwork checks the addresses: where the service listens, the public
// base URL (and what production mode asks with it), proxies and metrics.
// Complexity: one independent check per setting, in the order --help lists
// them; split, they would be scattered.
func (c *Config) validateNetwork() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("FEEDBACK_ADDR / --addr: %q is not host:port: %v", c.Addr, err)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("FEEDBACK_BASE_URL / --base-url: %q must be an absolute http(s) URL without query, e.g. https://feedback.example.org", c.BaseURL)
	}
	if err := checkSupportPhone(c.SupportPhone, u.Scheme); err != nil {
		return err
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("FEEDBACK_TRUSTED_PROXIES / --trusted-proxies: %q is not an IP address or CIDR range", p)
			}
		}
	}
	if err := checkSMSLogAllowed(c.Intake.SMSSender, c.BaseURL, c.Intake.SMSLogAllowed); err != nil {
		return err
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("FEEDBACK_METRICS_ADDR / --metrics-addr: %q is not host:port: %v", c.MetricsAddr, err)
		}
		if c.MetricsAddr == c.Addr {
			return errors.New("FEEDBACK_METRICS_ADDR / --metrics-addr: must differ from FEEDBACK_ADDR, so metrics are never published with the site")
		}
	}
	return nil
}

// validateStore checks which store is used and how it may be shared.
func (c *Config) validateStore() error {
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
		if err := checkStoreAddr(c.StoreAddr); err != nil {
			return fmt.Errorf("FEEDBACK_STORE_ADDR / --store-addr: %w", err)
		}
	}
	return nil
}

// checkStoreAddr is the rule for where the embedded store is shared: a
// loopback address, since mutual TLS is its only lock.
func checkStoreAddr(addr string) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return fmt.Errorf("%q must be a loopback address and port, e.g. 127.0.0.1:27018", addr)
	}
	return nil
}

// validateStaff checks the first administrator and the sessions' lifetimes.
func (c *Config) validateStaff() error {
	if _, err := accounts.NormaliseEmail(c.AdminEmail); err != nil {
		return fmt.Errorf("FEEDBACK_ADMIN_EMAIL / --admin-email: %v", err)
	}
	if c.SessionIdle < time.Minute {
		return fmt.Errorf("FEEDBACK_SESSION_IDLE / --session-idle: %v is shorter than a minute", c.SessionIdle)
	}
	if c.SessionMax < c.SessionIdle {
		return fmt.Errorf("FEEDBACK_SESSION_MAX / --session-max: %v is shorter than the idle timeout %v", c.SessionMax, c.SessionIdle)
	}
	return nil
}

// validateDashboards checks what is published and how: K, the FFT return's
// organisation code, the publication e-mails, the themes file and the
// safeguarding guidance.
func (c *Config) validateDashboards() error {
	if c.OpenK != 0 && c.OpenK < c.DisclosureK {
		return fmt.Errorf("FEEDBACK_OPEN_K / --open-k: %d is below --disclosure-k (%d); open answers need larger groups than verified ones, not smaller", c.OpenK, c.DisclosureK)
	}
	if c.DisclosureK < dashboards.MinK {
		return fmt.Errorf("FEEDBACK_DISCLOSURE_K / --disclosure-k: %d is below %d; a month with so few responses could identify someone", c.DisclosureK, dashboards.MinK)
	}
	if !dashboards.ValidOrganisationCode(c.OrganisationCode) {
		return fmt.Errorf("FEEDBACK_ORGANISATION_CODE / --organisation-code: %q is not an ODS code (3 to 10 letters and digits)", c.OrganisationCode)
	}
	if c.PublicationTemplateID != "" {
		if _, err := dashboards.NewNotifyEmail(c.Intake.NotifyAPIKey, c.PublicationTemplateID, time.Now); err != nil {
			return fmt.Errorf("FEEDBACK_PUBLICATION_EMAIL_TEMPLATE_ID / --publication-email-template-id needs a valid NOTIFY_API_KEY: %v", err)
		}
	}
	if c.ThemesFile != "" {
		if _, err := dashboards.LoadThemes(c.ThemesFile); err != nil {
			return fmt.Errorf("FEEDBACK_THEMES_FILE / --themes-file: %v", err)
		}
	}
	if err := dashboards.CheckGuidance(c.SafeguardingGuidance); err != nil {
		return fmt.Errorf("FEEDBACK_SAFEGUARDING_GUIDANCE / --safeguarding-guidance: %v", err)
	}
	return nil
}
