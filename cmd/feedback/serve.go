package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/metrics"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// serve starts the store, the survey side and the HTTP app, and runs until ctx
// ends; then it stops accepting, finishes in-flight requests, commits queued
// responses, closes the client and stops the embedded store.
func serve(ctx context.Context, cfg *Config, stdout, stderr io.Writer) error {
	logger := newLogger(cfg.LogFormat, stderr, slog.LevelInfo)
	softMemoryLimit(os.Getenv)
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := openStore(startCtx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st)
	library, catalogue, err := loadSurveys(startCtx, st)
	if err != nil {
		return err
	}
	if differ := builtInDiffers(catalogue); len(differ) > 0 {
		logger.Info("the built-in survey differs from the published one, which is served; publish it with feedback surveys publish if it is wanted", "services", differ)
	}

	jobs := newScheduler(logger)
	defer jobs.stop()  // before the store closes: deferred calls run last first
	m := metrics.New() // counted always, served only on FEEDBACK_METRICS_ADDR
	comments, err := followCommentNames(startCtx, library, jobs)
	if err != nil {
		return err
	}
	side, err := openSurveySide(startCtx, cfg, st, catalogue, comments, m, jobs, logger, stdout)
	if err != nil {
		return err
	}
	defer side.responses.Close()
	responses, invites := side.responses, side.invites
	acc, firstAdmin, created, err := openStaff(startCtx, cfg, st, jobs, logger, stdout)
	if err != nil {
		return err
	}

	in, err := openIntake(startCtx, cfg, st, logger)
	if err != nil {
		return err
	}
	if err := wireServices(startCtx, side, library, catalogue, in, jobs, logger); err != nil {
		return err
	}
	watchSides(m, st, in)
	in.start()
	defer in.stop() // before the store closes: deferred calls run last first

	dash, surveys, err := openDashboards(cfg, st, library, catalogue, side, jobs, logger)
	if err != nil {
		return err
	}

	srv, err := api.New(api.Config{
		BaseURL: cfg.BaseURL, RateLimit: cfg.RateLimit, Submissions: submissionLimits(cfg), TrustedProxies: cfg.TrustedProxies, SupportPhone: cfg.SupportPhone,
		OfficePhone: cfg.OfficePhone, OfficeEmail: cfg.OfficeEmail,
	}, api.Deps{Store: st, Surveys: catalogue, Responses: responses, Accounts: acc, Intake: in.Store, Dashboards: dash, Logger: logger, Requests: m, Invitations: invites.checker(), InvitationLinks: invites.links(), Tokens: invites.exchange(),
		SurveyLibrary: library, SurveysPublished: surveys.refresh, CommentNamesSaved: comments.Refresh, Now: time.Now})
	if err != nil {
		return err
	}
	unstaffed, err := in.Store.Unstaffed(startCtx)
	if err != nil {
		return err
	}
	notice, err := library.PrivacyNotice(startCtx)
	if err != nil {
		return err
	}
	welcome := func() {
		printStart(stdout, cfg, st, catalogue, firstAdmin, created)
		printIntakeSetup(stdout, cfg.BaseURL, unstaffed)
		printNoticeSetup(stdout, cfg.BaseURL, notice)
	}
	return runHTTP(ctx, cfg, srv, m, welcome, logger, stdout)
}

// printStart writes, once the service listens, the first administrator's
// one-time password if one was just made (to the console only, never the log:
// it is a password) and where everything is.
func printStart(stdout io.Writer, cfg *Config, st *store.Store, catalogue *survey.Catalogue, firstAdmin accounts.Credentials, created bool) {
	if created {
		printFirstAdmin(stdout, cfg.BaseURL, firstAdmin)
	}
	printWelcome(stdout, cfg, st, catalogue)
}

// runHTTP listens, says where everything is, and serves until ctx ends; then
// it stops accepting and finishes the requests in flight.
func runHTTP(ctx context.Context, cfg *Config, srv *api.Server, m *metrics.Metrics, welcome func(), logger *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (FEEDBACK_ADDR): %w", cfg.Addr, err)
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, m, logger)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer stopMetrics()
	}
	welcome()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "Shutting down: finishing requests in flight…")
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Error("http shutdown", "err", err)
	}
	return nil
}

// openStore opens the configured store; the embedded one logs its errors only.
func openStore(ctx context.Context, cfg *Config, stderr io.Writer) (*store.Store, error) {
	return store.Open(ctx, store.Config{
		URI: cfg.MongoURI, DataDir: cfg.DataDir, EmbeddedAddr: cfg.StoreAddr,
		Logger: newLogger(cfg.LogFormat, stderr, slog.LevelError).With("component", "embedded-store"),
	})
}

func closeStore(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = st.Close(ctx)
}

// surveySide is what serve runs of the survey: submissions sealed as
// ballots, and the invitations texts carry.
type surveySide struct {
	responses *ballotbox.Responses
	invites   *invitations
	sealer    *ballotbox.Sealer // grows when a published survey needs longer ballots
	services  *services         // carries a service added to the library to intake and the codes
}

// openSurveySide starts taking submissions as sealed ballots, and schedules
// the release of closed months, the hourly mix and the nonce keys.
func openSurveySide(ctx context.Context, cfg *Config, st *store.Store, catalogue *survey.Catalogue, comments ballotbox.CommentCheck,
	m *metrics.Metrics, jobs *scheduler, logger *slog.Logger, stdout io.Writer) (*surveySide, error) {
	sealing, err := sealingSecret(st, envOrEmpty)
	if err != nil {
		return nil, err
	}
	ring, err := keyringOf(st, envOrEmpty)
	if err != nil {
		return nil, err
	}
	sealer, err := ballotbox.NewSealer(ring, sealing, catalogue)
	if err != nil {
		return nil, err
	}
	invites, err := openInvitations(cfg, st, sealing)
	if err != nil {
		return nil, err
	}
	responses := ballotbox.NewResponses(st.Database(store.SurveyDatabase), ballotbox.Options{
		Now: time.Now, Logger: logger, Observer: m, Sealer: sealer, Invitations: invites.spender(), Tokens: invites.tokenChecker(),
		Comments: comments})
	if err := responses.Keys().Prepare(ctx); err != nil {
		responses.Close()
		return nil, err
	}
	// Nothing is written behind a submission (a release writes idempotently),
	// so a start after a crash has nothing to repair, whatever the store holds.
	if st.Unclean {
		fmt.Fprintln(stdout, "The last run did not stop cleanly. Nothing needs repair: every acknowledged answer is a sealed ballot, and a release cut short is finished in the background.")
	}
	st.MarkRepaired()
	// Nonce keys for tomorrow are made ahead, and expired days' keys deleted.
	jobs.start(job{Name: "prepare nonce keys", After: time.Hour, Every: time.Hour, Timeout: time.Minute, Run: responses.Keys().Prepare})
	side := &surveySide{responses: responses, invites: invites, sealer: sealer}
	if ring == nil {
		logger.Info("this instance seals ballots only: another, holding the keyring, mixes and releases them", "setting", keyringEnv)
		return side, nil
	}
	releaser, err := newReleaser(st, catalogue, sealer, cfg.DisclosureK, cfg.OpenK, logger, responses)
	if err != nil {
		responses.Close()
		return nil, err
	}
	// The keyring's holder makes this month's and next month's boxes, so an
	// instance that only seals always finds a public key.
	if err := releaser.PrepareBoxes(ctx); err != nil {
		responses.Close()
		return nil, err
	}
	jobs.start(job{Name: "prepare ballot boxes", After: time.Hour, Every: time.Hour, Timeout: time.Minute, Run: releaser.PrepareBoxes})
	// Closed months are released in the background, never before serving:
	// at once (a release cut short by a crash is finished; boxes sealed before
	// the keyring are resealed first), then every ten minutes.
	jobs.start(job{Name: "release sealed ballots", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
		if err := resealLegacy(ctx, releaser, logger); err != nil {
			return err
		}
		return releaseDue(ctx, releaser, logger)
	}})
	// Each hour the open boxes are mixed, so the store keeps no arrival order
	// of ballots older than the last mix.
	jobs.start(job{Name: "mix sealed ballots", After: time.Hour, Every: time.Hour, Run: func(ctx context.Context) error {
		return mixPending(ctx, releaser)
	}})
	return side, nil
}

// followCommentNames builds the comment check with the practitioners' names
// admins list in the survey library, and has it follow a save made on any
// instance within a minute (the instance where it was saved follows at once).
func followCommentNames(ctx context.Context, library *survey.Library, jobs *scheduler) (*ballotbox.PractitionerCheck, error) {
	check, err := ballotbox.NewPractitionerCheck(ctx, library.PractitionerNames)
	if err != nil {
		return nil, err
	}
	jobs.start(job{Name: "follow practitioners' names", After: time.Minute, Every: time.Minute, Timeout: 30 * time.Second, Run: check.Refresh})
	return check, nil
}

// openStaff opens staff accounts, makes the first administrator if there is
// none, names accounts that break the wall, and purges expired sessions.
func openStaff(ctx context.Context, cfg *Config, st *store.Store, jobs *scheduler, logger *slog.Logger, stdout io.Writer) (*accounts.Store, accounts.Credentials, bool, error) {
	acc, err := accounts.New(st, accounts.Config{IdleTimeout: cfg.SessionIdle, AbsoluteTimeout: cfg.SessionMax, Now: time.Now})
	if err != nil {
		return nil, accounts.Credentials{}, false, err
	}
	if err := acc.EnsureIndexes(ctx); err != nil {
		return nil, accounts.Credentials{}, false, err
	}
	firstAdmin, created, err := acc.EnsureAdmin(ctx, cfg.AdminEmail)
	if err != nil {
		return nil, accounts.Credentials{}, false, err
	}
	// Accounts made before the wall applied to people are named, not locked out.
	across, err := acc.AcrossWall(ctx)
	if err != nil {
		return nil, accounts.Credentials{}, false, err
	}
	if len(across) > 0 {
		fmt.Fprintln(stdout, accounts.AcrossWallAdvice(across))
		logger.Warn("accounts hold intake access together with dashboard access", "accounts", len(across))
	}
	// Expired staff sessions are deleted, so the sessions collection, read on
	// every staff request, stays small even when nobody signs in for a while.
	jobs.start(job{Name: "purge expired sessions", After: 5 * time.Minute, Every: 5 * time.Minute, Timeout: time.Minute, Run: func(ctx context.Context) error {
		_, err := acc.PurgeSessions(ctx)
		return err
	}})
	return acc, firstAdmin, created, nil
}

func printWelcome(w io.Writer, cfg *Config, st *store.Store, catalogue *survey.Catalogue) {
	where := "MongoDB at MONGODB_URI"
	if st.Embedded {
		where = "the embedded store in " + cfg.DataDir
		if cfg.StoreAddr != "" {
			where += " (shared over mutual TLS: MONGODB_URI=" + st.SharedURI + ")"
		}
	}
	fmt.Fprintf(w, "feedback is running on %s, with data in %s.\n\nSurveys:\n", cfg.BaseURL, where)
	for _, d := range catalogue.All() {
		fmt.Fprintf(w, "  %-14s %s/s/%s\n", d.Service, cfg.BaseURL, d.Service)
	}
	intakeAt := "database " + intake.Database + " of the same store"
	if cfg.Intake.MongoURI != "" {
		intakeAt = "a separate MongoDB (INTAKE_MONGODB_URI)"
	}
	email := "off (INTAKE_NOTIFY_EMAIL_TEMPLATE_ID)"
	if cfg.Intake.NotifyEmailTemplateID != "" {
		email = "on"
	}
	fmt.Fprintf(w, "\nIntake records: %s. Survey texts: %s sender. Invitations by e-mail: %s.\n", intakeAt, cfg.Intake.SMSSender, email)
	fmt.Fprintf(w, "\nStaff sign-in: %s/login\nAPI: %s/api/v1/surveys   Health: %s/healthz   Ready: %s/readyz\nPress Ctrl+C to stop.\n",
		cfg.BaseURL, cfg.BaseURL, cfg.BaseURL, cfg.BaseURL)
}

// printIntakeSetup says, while no practitioner of a kind is active, that
// intake cannot route callers of that kind, and where an admin adds them.
func printIntakeSetup(w io.Writer, base string, unstaffed []intake.PractitionerKind) {
	if len(unstaffed) == 0 {
		return
	}
	names := map[intake.PractitionerKind]string{intake.Counsellor: "counsellor", intake.PeerSupporter: "peer-support doctor"}
	var missing []string
	for _, k := range unstaffed {
		missing = append(missing, "no "+names[k])
	}
	fmt.Fprintf(w, "\nIntake is not ready to route callers: %s is active.\n"+
		"An admin adds practitioners, and makes them active, at %s/admin/practitioners\n"+
		"(a caller at immediate risk can be recorded before then). Call handlers start at %s/intake\n",
		strings.Join(missing, " and "), base, base)
}

// printFirstAdmin shows the one-time credentials of the administrator just
// created. They are printed this once and stored only as a hash.
func printFirstAdmin(w io.Writer, base string, creds accounts.Credentials) {
	fmt.Fprintf(w, "No administrator existed, so one has been created:\n"+
		"  e-mail:             %s\n  one-time password:  %s\n"+
		"Sign in at %s/login within 24 hours and choose a new password. This password is shown only once and stops working after a day.\n"+
		"Admins manage accounts and see no survey figures: add a quality lead at %s/admin/users to open the dashboards.\n\n",
		creds.Email, creds.Password, base, base)
}

func newLogger(format string, w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// wireServices gives intake and the invitation codes the library's services,
// checks a service published on screen against the survey text's length, and
// starts putting invitations in survey texts.
func wireServices(ctx context.Context, side *surveySide, library *survey.Library, catalogue *survey.Catalogue,
	in *intakeSide, jobs *scheduler, logger *slog.Logger) error {
	side.services = &services{lib: library, cat: catalogue, in: in, codes: side.invites, logger: logger}
	library.CheckNewService = in.outbox.CheckService
	if err := side.services.apply(ctx); err != nil {
		return err
	}
	return side.invites.start(in, jobs)
}

// defaultMemoryLimit is the Go heap's soft limit unless GOMEMLIMIT sets one.
// What serve holds is bounded (counters, a few months of comments, caches)
// but the embedded store makes much short-lived garbage: reading a month of
// comments decodes each row's JSON afresh. With Go's default the heap grew to
// twice what it held, and the server to 235 MB at a million responses; with
// this limit it stayed under 140 MB (BENCHMARKS.md). The limit is soft: a
// server that needs more gets it, at some extra collection.
const defaultMemoryLimit = 100 << 20

func softMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// openDashboards builds the dashboards over the survey database, and the
// follower that brings a version published on any instance to this one's
// pages and dashboards within a quarter-minute.
func openDashboards(cfg *Config, st *store.Store, library *survey.Library, catalogue *survey.Catalogue,
	side *surveySide, jobs *scheduler, logger *slog.Logger) (*dashboards.Dashboards, *surveyFollower, error) {
	dash, err := dashboards.New(st.Database(store.SurveyDatabase), catalogue, dashboards.Options{K: cfg.DisclosureK, Logger: logger, Now: time.Now,
		Archive: catalogue.Archive(), OrganisationCode: cfg.OrganisationCode, ThemesFile: cfg.ThemesFile,
		SafeguardingGuidance: cfg.SafeguardingGuidance})
	if err != nil {
		return nil, nil, err
	}
	surveys := &surveyFollower{lib: library, cat: catalogue, sealer: side.sealer, dash: dash, services: side.services}
	// A released month's comments are counted once (themes, ratings, risk),
	// at start-up and within ten minutes of a release, before a lead asks.
	jobs.start(job{Name: "count published comments", Every: 10 * time.Minute, Timeout: 10 * time.Minute, Run: dash.SummariseComments})
	jobs.start(job{Name: "follow published surveys", After: 15 * time.Second, Every: 15 * time.Second, Timeout: 10 * time.Second, Run: surveys.refresh})
	if err := announcePublications(cfg, dash, jobs, logger); err != nil {
		return nil, nil, err
	}
	return dash, surveys, nil
}

// announcePublications e-mails the quality leads who opted in, once a month is
// published (checked hourly; each month is announced once across instances).
// Off unless FEEDBACK_PUBLICATION_EMAIL_TEMPLATE_ID is set.
func announcePublications(cfg *Config, dash *dashboards.Dashboards, jobs *scheduler, logger *slog.Logger) error {
	if cfg.PublicationTemplateID == "" {
		return nil
	}
	mailer, err := dashboards.NewNotifyEmail(cfg.Intake.NotifyAPIKey, cfg.PublicationTemplateID, time.Now)
	if err != nil {
		return fmt.Errorf("FEEDBACK_PUBLICATION_EMAIL_TEMPLATE_ID: %w", err)
	}
	jobs.start(job{Name: "announce published months", After: time.Minute, Every: time.Hour, Timeout: 5 * time.Minute,
		Run: func(ctx context.Context) error {
			month, sent, err := dash.AnnouncePublication(ctx, mailer, cfg.BaseURL)
			if err == nil && month != "" {
				logger.Info("publication announced", "month", month, "notices", sent)
			}
			return err
		}})
	return nil
}

// submissionLimits are the per-sender limits the settings ask for; a zero in
// either turns them off (a negative limit, which web reads as none).
func submissionLimits(cfg *Config) web.SubmissionLimits {
	if cfg.SubmissionsPerMinute == 0 || cfg.SubmissionsPerHour == 0 {
		return web.SubmissionLimits{PerMinute: -1, PerHour: -1}
	}
	return web.SubmissionLimits{PerMinute: cfg.SubmissionsPerMinute, PerHour: cfg.SubmissionsPerHour}
}
