package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// The sealing secret opens the sealed ballots of months not yet released. It is
// never stored in the database: on the embedded store it is a 0600 file made on
// first start (FEEDBACK_SEALING_SECRET_FILE, by default sealing.key in the data
// directory); with MongoDB every instance is given the same secret in
// FEEDBACK_SEALING_SECRET (32 bytes, base64), since the oplog would keep
// anything written to the database beside the ballots.
const (
	sealingSecretEnv     = "FEEDBACK_SEALING_SECRET"
	sealingSecretFileEnv = "FEEDBACK_SEALING_SECRET_FILE"
	sealingSecretFile    = "sealing.key"
)

// The keyring holds the private key of every month still sealed, outside the
// database and outside the data directory, so that neither a stolen data
// directory nor any backup opens a ballot (see ballotbox/keyring.go). By
// default it is the directory beside the data directory, DATA_DIR-keyring;
// FEEDBACK_KEYRING puts it elsewhere, or "none" makes an instance that only
// seals (it never mixes or releases: one instance holding the keyring does).
const (
	keyringEnv  = "FEEDBACK_KEYRING"
	keyringNone = "none"
)

// keyringOf returns the keyring this process uses, nil for "none".
func keyringOf(st *store.Store, getenv func(string) string) (*ballotbox.Keyring, error) {
	dir := strings.TrimSpace(getenv(keyringEnv))
	if dir == keyringNone {
		return nil, nil
	}
	data, err := filepath.Abs(st.DataDir)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		dir = data + "-keyring"
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	if st.Embedded && (dir == data || strings.HasPrefix(dir, data+string(filepath.Separator))) {
		return nil, fmt.Errorf("%s must be outside the data directory %s: a copy of the data directory must not open its own ballots", keyringEnv, data)
	}
	ring := ballotbox.NewKeyring(dir)
	if err := ring.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", keyringEnv, err)
	}
	return ring, nil
}

// loadSealer returns the sealer for the store's ballots: it needs the
// keyring (a command that mixes or releases).
func loadSealer(st *store.Store, cat *survey.Catalogue, getenv func(string) string) (*ballotbox.Sealer, error) {
	secret, err := sealingSecret(st, getenv)
	if err != nil {
		return nil, err
	}
	ring, err := keyringOf(st, getenv)
	if err != nil {
		return nil, err
	}
	if ring == nil {
		return nil, fmt.Errorf("this command opens sealed ballots and needs the keyring: %s=%s", keyringEnv, keyringNone)
	}
	return ballotbox.NewSealer(ring, secret, cat)
}

// invitationSecret is the key invitations are signed with: the one given in
// FEEDBACK_INVITATION_SECRET, or else one derived from the sealing secret, so
// a deployment has one secret to keep and every instance agrees.
func invitationSecret(sealing []byte, getenv func(string) string) ([]byte, error) {
	if v := getenv(envInvitationSecret); strings.TrimSpace(v) != "" {
		return parseInvitationSecret(v)
	}
	return hkdf.Key(sha256.New, sealing, nil, "feedback invitations", 32)
}

func sealingSecret(st *store.Store, getenv func(string) string) ([]byte, error) {
	if v := strings.TrimSpace(getenv(sealingSecretEnv)); v != "" {
		return decodeSealingSecret(v)
	}
	path := strings.TrimSpace(getenv(sealingSecretFileEnv))
	if path == "" {
		if !st.Embedded {
			return nil, fmt.Errorf("%s is required with MONGODB_URI: give every instance the same 32 random bytes in base64 (openssl rand -base64 32), kept outside the database", sealingSecretEnv)
		}
		path = filepath.Join(st.DataDir, sealingSecretFile)
	}
	return ballotbox.LoadOrCreateSecret(path)
}

// newReleaser returns the releaser serve and the commands use.
func newReleaser(st *store.Store, cat *survey.Catalogue, sealer *ballotbox.Sealer, k, openK int, logger *slog.Logger, responses *ballotbox.Responses) (*ballotbox.Releaser, error) {
	if k == 0 {
		k = dashboards.DefaultK
	}
	return ballotbox.NewReleaser(st.Database(store.SurveyDatabase), cat, ballotbox.ReleaseOptions{
		Sealer: sealer, K: k, OpenK: openK, Logger: logger, Responses: responses,
		// The store forgets what a release wrote over: the embedded store's
		// write-ahead log is checkpointed and truncated.
		AfterRelease: st.Compact,
	})
}

// releaseDue releases every closed month's ballots that are due, saying so.
func releaseDue(ctx context.Context, rel *ballotbox.Releaser, logger *slog.Logger) error {
	start := time.Now()
	reports, err := rel.ReleaseDue(ctx)
	if errors.Is(err, ballotbox.ErrLeaseHeld) {
		return nil // another instance is releasing; this one tries again later
	}
	for _, r := range reports {
		logger.Info("released a month's sealed ballots", "month", r.Box, "ballots", r.Ballots,
			"responses", r.Responses, "carried", r.Carried, "duration_ms", time.Since(start).Milliseconds())
	}
	return err
}

// resealLegacy moves boxes sealed before the keyring under it.
func resealLegacy(ctx context.Context, rel *ballotbox.Releaser, logger *slog.Logger) error {
	done, err := rel.Reseal(ctx)
	if errors.Is(err, ballotbox.ErrLeaseHeld) {
		return nil
	}
	for _, box := range done {
		logger.Info("resealed a month's ballots under the keyring: the sealing secret no longer opens them", "month", box)
	}
	return err
}

// mixPending mixes the open ballot boxes; another instance mixing is no error.
func mixPending(ctx context.Context, rel *ballotbox.Releaser) error {
	_, err := rel.MixPending(ctx)
	if errors.Is(err, ballotbox.ErrLeaseHeld) {
		return nil
	}
	return err
}

// decodeSealingSecret reads FEEDBACK_SEALING_SECRET; an error never quotes it.
func decodeSealingSecret(v string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(strings.TrimSpace(v)); err == nil && len(b) == ballotbox.SecretSize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s must be %d random bytes in base64 (make one with: openssl rand -base64 32)", sealingSecretEnv, ballotbox.SecretSize)
}
