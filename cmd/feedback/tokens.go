package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/store"
)

const tokensUsage = `usage:
  feedback tokens add --name NAME --role quality [--expires YYYY-MM-DD]
  feedback tokens list
  feedback tokens revoke ID

A token lets a script read what a quality lead reads, and nothing else:
GET /api/v1/stats/{service} and the dashboards' CSV exports, sent as
Authorization: Bearer <token>. It changes nothing and opens no other page.
add prints the token once; only its SHA-256 is kept, so a lost token is
revoked and replaced, never recovered. Making, revoking and each token's
first use of a day are written to the audit log.
`

// runTokens is the "feedback tokens" command: read-only API tokens, made and
// revoked from the console with the actor "cli".
func runTokens(ctx context.Context, st *store.Store, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, tokensUsage)
		if len(args) == 0 {
			return errors.New("tokens: name a command: add, list or revoke")
		}
		return nil
	}
	acc, err := accounts.New(st, accounts.Config{Now: time.Now})
	if err != nil {
		return err
	}
	cmd, args := args[0], args[1:]
	fs := usersFlagSet("tokens "+cmd, stderr)
	fs.Usage = func() { fmt.Fprint(stderr, tokensUsage) }
	switch cmd {
	case "add":
		name := fs.String("name", "", "what the token is for, e.g. \"board pack script\"")
		role := fs.String("role", "", "the token's role: quality (the only one a token may have)")
		expires := fs.String("expires", "", "the day (UTC) from which it opens nothing, YYYY-MM-DD; empty: until revoked")
		if rest, err := usersParse(fs, args); err != nil || len(rest) > 0 {
			return errors.Join(err, unexpected("tokens add", rest))
		}
		var until time.Time
		if *expires != "" {
			if until, err = time.Parse(time.DateOnly, *expires); err != nil {
				return fmt.Errorf("tokens add: --expires %q: give a day as YYYY-MM-DD", *expires)
			}
		}
		r, err := accounts.ParseRole(*role)
		if err != nil {
			return fmt.Errorf("tokens add: --role: %w", err)
		}
		tok, secret, err := acc.CreateToken(ctx, *name, r, until, accounts.ActorCLI)
		if err != nil {
			return fmt.Errorf("tokens add: %w", err)
		}
		fmt.Fprintf(stdout, "Made token %s (%s, role %s). It is shown only once:\n\n  %s\n\n"+
			"Send it as Authorization: Bearer <token>. Revoke it with: feedback tokens revoke %s\n", tok.ID, tok.Name, tok.Role, secret, tok.ID)
		return nil
	case "list":
		if rest, err := usersParse(fs, args); err != nil || len(rest) > 0 {
			return errors.Join(err, unexpected("tokens list", rest))
		}
		return tokensList(ctx, acc, stdout)
	case "revoke":
		rest, err := usersParse(fs, args)
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return errors.New("tokens revoke: name one token id (feedback tokens list shows them)")
		}
		if err := acc.RevokeToken(ctx, rest[0], accounts.ActorCLI); err != nil {
			return fmt.Errorf("tokens revoke: %w", err)
		}
		fmt.Fprintf(stdout, "Revoked token %s: it opens nothing from now on.\n", rest[0])
		return nil
	}
	fmt.Fprint(stderr, tokensUsage)
	return fmt.Errorf("tokens: unknown command %q", cmd)
}

func tokensList(ctx context.Context, acc *accounts.Store, stdout io.Writer) error {
	toks, err := acc.Tokens(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSTATUS\tCREATED\tLAST USED")
	now := time.Now()
	for _, t := range toks {
		status := "live"
		switch {
		case !t.Revoked.IsZero():
			status = "revoked " + t.Revoked.Format(time.DateOnly)
		case !t.Live(now):
			status = "expired " + t.Expires.Format(time.DateOnly)
		case !t.Expires.IsZero():
			status = "live until " + t.Expires.Format(time.DateOnly)
		}
		used := t.LastUsed
		if used == "" {
			used = "never"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s by %s\t%s\n", t.ID, t.Name, t.Role, status, t.Created.Format(time.DateOnly), t.By, used)
	}
	return tw.Flush()
}

func unexpected(cmd string, rest []string) error {
	if len(rest) == 0 {
		return nil
	}
	return fmt.Errorf("%s: unexpected argument %q", cmd, strings.Join(rest, " "))
}
