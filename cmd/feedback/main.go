// Command feedback runs the anonymous feedback service: survey pages for people
// who have used the counselling and peer-support services, on an embedded
// MongoDB-compatible store by default or on MongoDB when MONGODB_URI is set.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/feedback-service/feedback/store"
)

func main() {
	// The heap is small (tens of MB) and short-lived garbage dominates: collecting
	// at 300 % growth instead of 100 % cut the server's CPU per survey response
	// by about 30 % under load (BENCHMARKS.md). GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "feedback:", err)
		os.Exit(1)
	}
}

const topUsage = `feedback: anonymous feedback surveys for a doctors' support service.

Usage:
  feedback [serve] [flags]   start the service (the default)
  feedback users ...         manage staff accounts (run "feedback users help")
  feedback tokens add|list|revoke  read-only API tokens for the stats API and CSV exports
                             (run "feedback tokens help")
  feedback demo --responses N      fill the store with synthetic responses for the last 12 months
                             (--people N: also N synthetic intake callers, to measure at scale)
  feedback surveys list|export SERVICE|check FILE|publish FILE  the survey definitions and their versions
  feedback counters rebuild [--check]  recompute the dashboard counters from the stored responses
  feedback comments check [--lang en|cy] FILE  show what a quality lead would read of each comment
                             (one a line) and which would show the crisis message; no store needed
  feedback release           release closed months' sealed ballots that are due (serve does it
                             every ten minutes; run again, it finishes a release cut short)
  feedback backup --out FILE [--intake] [--recipient AGE]  back up the survey side (answers,
                             sealed ballots, spent invitations), or with --intake the intake and
                             staff side: never both in one file; encrypted to --recipient or under
                             a passphrase read from stdin. Export the keyring apart from it.
  feedback restore [--force] [--identity FILE] FILE  load a backup into an empty store
  feedback invitations --service S --count N  print N single-use survey links, one per line
  feedback keyring list|export|import  the private keys of the months still sealed (run "feedback keyring")
  feedback loadtest [flags]  drive a running server like phones do, and check nothing is lost
  feedback store --addr ADDR [--data-dir DIR]  serve only the embedded store, on a loopback
                             address over mutual TLS (as serve --store-addr does), for instances
                             or tests that take the MONGODB_URI path; prints that URI
  feedback help              this text

Run "feedback serve --help" for every setting.
`

// run dispatches a subcommand; serve is the default.
// Complexity: one case per subcommand, as topUsage lists them.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseConfig("feedback serve", args, envOrEmpty, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, stderr)
	case "users":
		return withStore(ctx, "feedback users", args, stderr, func(st *store.Store, rest []string) error {
			return runUsers(ctx, st, rest, stdin, stdout, stderr)
		})
	case "tokens":
		return withStore(ctx, "feedback tokens", args, stderr, func(st *store.Store, rest []string) error {
			return runTokens(ctx, st, rest, stdout, stderr)
		})
	case "demo":
		return withStore(ctx, "feedback demo", args, stderr, func(st *store.Store, rest []string) error {
			return runDemo(ctx, st, rest, stdout, stderr)
		})
	case "release":
		return withStore(ctx, "feedback release", args, stderr, func(st *store.Store, rest []string) error {
			return runRelease(ctx, st, rest, stdout, stderr)
		})
	case "surveys":
		if len(args) > 0 && args[0] == "check" { // the rules only: no store, so it runs beside serve
			return checkSurveyFile(args[1:], stdout)
		}
		return withStore(ctx, "feedback surveys", args, stderr, func(st *store.Store, rest []string) error {
			return runSurveys(ctx, st, rest, stdout, stderr)
		})
	case "counters":
		return withStore(ctx, "feedback counters", args, stderr, func(st *store.Store, rest []string) error {
			return runCounters(ctx, st, rest, stdout, stderr)
		})
	case "backup":
		return withStore(ctx, "feedback backup", args, stderr, func(st *store.Store, rest []string) error {
			return runBackup(ctx, st, rest, stdin, stdout, stderr)
		})
	case "restore":
		return withStore(ctx, "feedback restore", args, stderr, func(st *store.Store, rest []string) error {
			return runRestore(ctx, st, rest, stdin, stdout, stderr)
		})
	case "invitations":
		return runInvitations(args, envOrEmpty, stdout, stderr)
	case "keyring":
		return runKeyring(args, envOrEmpty, stdin, stdout, stderr)
	case "comments":
		if len(args) > 0 && args[0] == "names" {
			return withStore(ctx, "feedback comments names", args[1:], stderr, func(st *store.Store, rest []string) error {
				return runCommentNames(ctx, st, rest, stdin, stdout, stderr)
			})
		}
		return runComments(args, stdin, stdout, stderr)
	case "loadtest":
		return runLoadtest(ctx, args, stdout, stderr)
	case "store":
		return runStore(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, topUsage)
		usage(stdout, "feedback serve")
		return nil
	}
	if cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, topUsage)
		return nil
	}
	fmt.Fprint(stderr, topUsage)
	return fmt.Errorf("unknown command %q", cmd)
}

// withStore opens the store named by flags and environment for a command other
// than serve. The embedded store's data directory is locked while serve runs:
// stop it first, or share the store (serve --store-addr, then MONGODB_URI).
func withStore(ctx context.Context, name string, args []string, stderr io.Writer, fn func(*store.Store, []string) error) error {
	cfg, rest, err := storeConfig(args, envOrEmpty)
	if err != nil {
		return err
	}
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(openCtx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = st.Close(closeCtx)
	}()
	return fn(st, rest)
}
