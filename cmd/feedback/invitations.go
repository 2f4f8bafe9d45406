package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/feedback-service/feedback/api/surveypages"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// The invitation settings. Until config.go carries them, "feedback invitations"
// reads them from the environment here; serve reads them through Config.
const (
	envInvitationSecret = "FEEDBACK_INVITATION_SECRET"
	envInvitationTTL    = "FEEDBACK_INVITATION_TTL"
	envBaseURL          = "FEEDBACK_BASE_URL"
)

const invitationsUsage = `usage:
  feedback invitations --service S --count N [--base-url URL] [--data-dir DIR | --mongodb-uri URI]

Prints N single-use survey links for service S, one per line, for channels the
service does not text through (a live chat, an e-mail, a card). Nothing is
recorded about them: each link is good once, until its expiry day
(FEEDBACK_INVITATION_TTL, default 14d).

S is counselling, peer-support, or any service published since through the
survey library: for those, the store (--data-dir or FEEDBACK_DATA_DIR, or
--mongodb-uri or MONGODB_URI) is opened to read the services' numbers, and
nothing is written. The embedded store is locked while serve runs: stop it, or
share its store (serve --store-addr, then MONGODB_URI).

Needs the invitation secret (FEEDBACK_INVITATION_SECRET, or the sealing secret
of the running service) and the public base URL (--base-url or FEEDBACK_BASE_URL).
`

// parseInvitationSecret reads FEEDBACK_INVITATION_SECRET: base64 (standard or
// URL alphabet, padded or not) of at least 32 random bytes, as made by
// "openssl rand -base64 32". Errors never quote the value.
func parseInvitationSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New(envInvitationSecret + ": needed for invitations (make one with: openssl rand -base64 32)")
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < invitation.MinSecretLength {
				return nil, fmt.Errorf("%s: %d bytes, need at least %d (make one with: openssl rand -base64 32)",
					envInvitationSecret, len(b), invitation.MinSecretLength)
			}
			return b, nil
		}
	}
	return nil, errors.New(envInvitationSecret + ": not base64 (make one with: openssl rand -base64 32)")
}

// parseInvitationTTL reads FEEDBACK_INVITATION_TTL as days ("14d") or a Go
// duration of whole days ("336h"); empty means the default, 14 days.
func parseInvitationTTL(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return invitation.DefaultTTL, nil
	}
	d, err := parseRetention(s)
	if err != nil || d < 24*time.Hour || d%(24*time.Hour) != 0 || d > 366*24*time.Hour {
		return 0, fmt.Errorf("%s: %q: give whole days from 1d to 366d", envInvitationTTL, s)
	}
	return d, nil
}

// newInvitationCodes builds codes from the settings' raw values (the secret given
// in FEEDBACK_INVITATION_SECRET), as an operator might set them by hand.
func newInvitationCodes(secret, ttl, baseURL string) (*invitation.Codes, error) {
	key, err := parseInvitationSecret(secret)
	if err != nil {
		return nil, err
	}
	d, err := parseInvitationTTL(ttl)
	if err != nil {
		return nil, err
	}
	return invitation.New(key, invitation.Config{BaseURL: baseURL, TTL: d, Now: time.Now})
}

// runInvitations is "feedback invitations": it prints single-use links and
// records nothing about where they go.
func runInvitations(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("invitations", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, invitationsUsage) }
	service := fs.String("service", "", "counselling, peer-support, or a service published since")
	count := fs.Int("count", 0, "how many links, 1 to 10000")
	baseURL := fs.String("base-url", getenv(envBaseURL), "public base URL the links start with")
	dataDir := fs.String("data-dir", firstNonEmpty(getenv("FEEDBACK_DATA_DIR"), "./data"), "the embedded store's data directory, whose sealing secret the service's invitations derive from")
	mongoURI := fs.String("mongodb-uri", getenv("MONGODB_URI"), "the service's MongoDB, when it does not use the embedded store")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("invitations: %w", err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("invitations: unexpected argument %q", fs.Arg(0))
	case *service == "":
		return errors.New("invitations: --service is required (counselling, peer-support, or a service published since)")
	case *count < 1 || *count > 10000:
		return fmt.Errorf("invitations: --count %d: give 1 to 10000", *count)
	case *baseURL == "":
		return errors.New("invitations: --base-url or FEEDBACK_BASE_URL is required: the links must reach the public service")
	}
	secret, err := commandInvitationSecret(*dataDir, getenv)
	if err != nil {
		return fmt.Errorf("invitations: %w", err)
	}
	ttl, err := parseInvitationTTL(getenv(envInvitationTTL))
	if err != nil {
		return fmt.Errorf("invitations: %w", err)
	}
	index, err := invitationServices(*service, store.Config{DataDir: *dataDir, URI: *mongoURI})
	if err != nil {
		return fmt.Errorf("invitations: %w", err)
	}
	codes, err := invitation.New(secret, invitation.Config{BaseURL: *baseURL, TTL: ttl, Services: index, Now: time.Now})
	if err != nil {
		return fmt.Errorf("invitations: %w", err)
	}
	var b strings.Builder
	for range *count {
		link, err := codes.Link(*service)
		if err != nil {
			return fmt.Errorf("invitations: %w", err)
		}
		b.WriteString(link + "\n")
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

// invitations are the single-use invitations of a serve: the codes it mints
// into survey texts and checks at /i/, and the store that spends them.
type invitations struct {
	codes  *invitation.Codes
	spent  *invitation.Store
	tokens *invitation.Tokens
}

// openInvitations returns the invitations as configured; nil when they are off.
func openInvitations(cfg *Config, st *store.Store, sealing []byte) (*invitations, error) {
	if !cfg.Invitations {
		return nil, nil
	}
	secret, err := invitationSecret(sealing, envOrEmpty)
	if err != nil {
		return nil, err
	}
	codes, err := invitation.New(secret, invitation.Config{BaseURL: cfg.BaseURL, TTL: cfg.InvitationTTL, Now: time.Now})
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	spent := invitation.NewStore(st.Database(invitation.Database), codes)
	return &invitations{codes: codes, spent: spent, tokens: invitation.NewTokens(spent)}, nil
}

// exchange is the blind-signature exchange the survey pages offer browsers
// with JavaScript; nil when invitations are off.
func (i *invitations) exchange() surveypages.Tokens {
	if i == nil {
		return nil
	}
	return i.tokens
}

// tokenChecker is what survey checks the exchange's tokens with; nil when off.
func (i *invitations) tokenChecker() ballotbox.TokenVerifier {
	if i == nil {
		return nil
	}
	return i.tokens
}

// spender is what survey spends invitations with; nil when they are off.
func (i *invitations) spender() ballotbox.Invitations {
	if i == nil {
		return nil
	}
	return i.spent
}

// checker is what the survey pages check invitations with; nil when off.
func (i *invitations) checker() surveypages.Invitations {
	if i == nil {
		return nil
	}
	return i.codes
}

// links is what call handlers mint one-off survey links with; nil when off.
func (i *invitations) links() intake.InvitationLinks {
	if i == nil {
		return nil
	}
	return i.codes
}

// start puts an invitation in every survey text and drops, daily, the spent
// marks whose codes have all expired; hourly, it rotates the blind-signing
// keys (next month's made ahead, retired ones and their marks dropped).
func (i *invitations) start(in *intakeSide, jobs *scheduler) error {
	if i == nil {
		return nil
	}
	if err := in.outbox.UseInvitations(i.codes); err != nil {
		return fmt.Errorf("FEEDBACK_INVITATIONS: %w", err)
	}
	jobs.start(job{Name: "purge spent invitations", After: time.Hour, Every: 24 * time.Hour, Timeout: 10 * time.Minute,
		Run: func(ctx context.Context) error { _, err := i.spent.Purge(ctx); return err }})
	jobs.start(job{Name: "rotate blind-signing keys", After: time.Minute, Every: time.Hour, Timeout: time.Minute, Run: i.tokens.Rotate})
	return nil
}

// commandInvitationSecret finds the running service's invitation secret
// without opening its store: FEEDBACK_INVITATION_SECRET, or one derived from
// the sealing secret (FEEDBACK_SEALING_SECRET, or the file in the data
// directory, which is never created here).
func commandInvitationSecret(dataDir string, getenv func(string) string) ([]byte, error) {
	if v := getenv(envInvitationSecret); strings.TrimSpace(v) != "" {
		return parseInvitationSecret(v)
	}
	var sealing []byte
	if v := getenv(sealingSecretEnv); strings.TrimSpace(v) != "" {
		b, err := decodeSealingSecret(v)
		if err != nil {
			return nil, err
		}
		sealing = b
	} else {
		path := firstNonEmpty(getenv(sealingSecretFileEnv), filepath.Join(dataDir, sealingSecretFile))
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no sealing secret at %s: give --data-dir of the running service, or %s or %s", path, sealingSecretEnv, envInvitationSecret)
		}
		b, err := ballotbox.LoadOrCreateSecret(path)
		if err != nil {
			return nil, err
		}
		sealing = b
	}
	return invitationSecret(sealing, func(string) string { return "" })
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// invitationServices is every service by its invitation number, which must
// include service. The built-ins' numbers never change, so for them no store
// is opened (serve may hold the embedded one); for another, the survey
// library's service index is read, and nothing is written.
func invitationServices(service string, cfg store.Config) ([]string, error) {
	if slices.Contains(survey.BuiltInServices, service) {
		return survey.BuiltInServices, nil
	}
	if cfg.URI == "" {
		if _, err := os.Stat(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("unknown service %q: not built in (%s), and no store at %s to read the services published since: give --data-dir or --mongodb-uri",
				service, strings.Join(survey.BuiltInServices, ", "), cfg.DataDir)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open the store to read the services published (stop serve first, or share its store: serve --store-addr, then MONGODB_URI): %w", err)
	}
	defer func() { _ = st.Close(context.Background()) }()
	index, err := survey.NewLibrary(st.Database(store.SurveyDatabase), time.Now).ServiceIndex(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(index, service) {
		return nil, fmt.Errorf("unknown service %q: the services are %s", service, strings.Join(index, ", "))
	}
	return index, nil
}
