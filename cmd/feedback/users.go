package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/store"
)

const usersUsage = `usage:
  feedback users add --email E --name N --role ROLE [--role ROLE] [--generate]
  feedback users list
  feedback users disable E
  feedback users enable E
  feedback users password [--generate] E
  feedback users roles E --role ROLE [--role ROLE]

Roles: admin, quality, moderator, intake, peer. Quality leads and moderators
read what was answered, so neither can be combined with intake, peer or admin,
who see who is on record; a moderator reads comments before quality leads may,
so moderator cannot be combined with quality either. Give such a person two
accounts. add and password read the new password from standard input (one
line); with nothing there, or with --generate, they make a one-time password,
print it once, and ask for a new one at first sign-in.
`

// runUsers is the "feedback users" command: it manages staff accounts from the
// console. Every change is audited with the actor "cli".
func runUsers(ctx context.Context, st *store.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usersUsage)
		if len(args) == 0 {
			return errors.New("users: name a command: add, list, disable, enable, password or roles")
		}
		return nil
	}
	acc, err := accounts.New(st, accounts.Config{})
	if err != nil {
		return err
	}
	if err := acc.EnsureIndexes(ctx); err != nil {
		return err
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "add":
		return usersAdd(ctx, acc, args, stdin, stdout, stderr)
	case "list":
		return usersList(ctx, acc, args, stdout)
	case "disable", "enable":
		return usersSetEnabled(ctx, acc, cmd, args, stdout, stderr)
	case "password":
		return usersPassword(ctx, acc, args, stdin, stdout, stderr)
	case "roles":
		return usersSetRoles(ctx, acc, args, stdout, stderr)
	}
	fmt.Fprint(stderr, usersUsage)
	return fmt.Errorf("users: unknown command %q", cmd)
}

func usersAdd(ctx context.Context, acc *accounts.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := usersFlagSet("add", stderr)
	email := fs.String("email", "", "e-mail address, used to sign in")
	name := fs.String("name", "", "display name")
	var roles usersRoleList
	fs.Var(&roles, "role", "a role: admin, quality, moderator, intake or peer (repeat for several)")
	generate := fs.Bool("generate", false, "generate a one-time password even if standard input has one")
	rest, err := usersParse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return fmt.Errorf("users add: unexpected argument %q", rest[0])
	case *email == "":
		return errors.New("users add: --email is required")
	case *name == "":
		return errors.New("users add: --name is required")
	case len(roles) == 0:
		return errors.New("users add: at least one --role is required (admin, quality, moderator, intake or peer)")
	}
	password, generated, err := usersNewPassword(stdin, *generate)
	if err != nil {
		return fmt.Errorf("users add: %w", err)
	}
	u, err := acc.Add(ctx, accounts.ActorCLI, accounts.NewUser{
		Email: *email, Name: *name, Roles: roles, Password: password, Generated: generated,
	})
	if err != nil {
		return fmt.Errorf("users add: %w", err)
	}
	fmt.Fprintf(stdout, "Added %s (%s).\n", u.Email, usersRoles(u.Roles))
	usersPrintOneTime(stdout, u.Email, password, generated)
	return nil
}

func usersList(ctx context.Context, acc *accounts.Store, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("users list: unexpected argument %q", args[0])
	}
	users, err := acc.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tSTATUS\tCREATED")
	for _, u := range users {
		status := "enabled"
		if !u.Enabled {
			status = "disabled"
		}
		if u.MustChangePassword {
			status += ", must change password"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, usersRoles(u.Roles), status, u.Created.Format("2006-01-02"))
	}
	return tw.Flush()
}

func usersSetEnabled(ctx context.Context, acc *accounts.Store, cmd string, args []string, stdout, stderr io.Writer) error {
	email, err := usersOneEmail(usersFlagSet(cmd, stderr), args)
	if err != nil {
		return err
	}
	if err := acc.SetEnabled(ctx, accounts.ActorCLI, email, cmd == "enable"); err != nil {
		return fmt.Errorf("users %s: %w", cmd, err)
	}
	fmt.Fprintf(stdout, "%sd %s.\n", strings.ToUpper(cmd[:1])+cmd[1:], strings.ToLower(strings.TrimSpace(email)))
	return nil
}

func usersPassword(ctx context.Context, acc *accounts.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := usersFlagSet("password", stderr)
	generate := fs.Bool("generate", false, "generate a one-time password even if standard input has one")
	email, err := usersOneEmail(fs, args)
	if err != nil {
		return err
	}
	u, err := acc.Get(ctx, email)
	if err != nil {
		return fmt.Errorf("users password: %w", err)
	}
	password, generated, err := usersNewPassword(stdin, *generate)
	if err != nil {
		return fmt.Errorf("users password: %w", err)
	}
	if err := acc.SetPassword(ctx, accounts.ActorCLI, u.Email, password, generated); err != nil {
		return fmt.Errorf("users password: %w", err)
	}
	fmt.Fprintf(stdout, "New password set for %s; their sessions have ended.\n", u.Email)
	usersPrintOneTime(stdout, u.Email, password, generated)
	return nil
}

// usersSetRoles replaces an account's roles: the way to mend an account that
// crosses the wall (start-up lists them).
func usersSetRoles(ctx context.Context, acc *accounts.Store, args []string, stdout, stderr io.Writer) error {
	fs := usersFlagSet("roles", stderr)
	var roles usersRoleList
	fs.Var(&roles, "role", "a role: admin, quality, moderator, intake or peer (repeat for several)")
	email, err := usersOneEmail(fs, args)
	if err != nil {
		return err
	}
	if len(roles) == 0 {
		return errors.New("users roles: at least one --role is required (admin, quality, moderator, intake or peer)")
	}
	if err := acc.SetRoles(ctx, accounts.ActorCLI, email, roles); err != nil {
		return fmt.Errorf("users roles: %w", err)
	}
	u, err := acc.Get(ctx, email)
	if err != nil {
		return fmt.Errorf("users roles: %w", err)
	}
	fmt.Fprintf(stdout, "%s now has %s; their sessions have ended.\n", u.Email, usersRoles(u.Roles))
	return nil
}

func usersPrintOneTime(w io.Writer, email, password string, generated bool) {
	if generated {
		fmt.Fprintf(w, "One-time password for %s (shown once; it works for 24 hours and must be changed at first sign-in):\n  %s\n", email, password)
	}
}

// usersNewPassword takes the password from one line of stdin or, when stdin is
// a terminal or empty or generate is set, makes a one-time one.
func usersNewPassword(stdin io.Reader, generate bool) (password string, generated bool, err error) {
	if generate || stdin == nil {
		return accounts.GeneratePassword(), true, nil
	}
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			// A terminal: no password was piped in, and we will not echo one typed.
			return accounts.GeneratePassword(), true, nil
		}
	}
	data, err := io.ReadAll(io.LimitReader(stdin, 4*accounts.MaxPasswordLength+1))
	if err != nil {
		return "", false, fmt.Errorf("read password from standard input: %w", err)
	}
	line, _ := bytes.CutSuffix(data, []byte("\n"))
	line, _ = bytes.CutSuffix(line, []byte("\r"))
	switch {
	case len(line) == 0:
		return accounts.GeneratePassword(), true, nil
	case len(data) > 4*accounts.MaxPasswordLength:
		return "", false, errors.New("standard input is too long for a password")
	case bytes.ContainsAny(line, "\r\n"):
		return "", false, errors.New("standard input has more than one line: give the password alone on one line")
	}
	return string(line), false, nil
}

// usersOneEmail parses fs from args and returns the one e-mail argument.
func usersOneEmail(fs *flag.FlagSet, args []string) (string, error) {
	rest, err := usersParse(fs, args)
	if err != nil {
		return "", err
	}
	if len(rest) != 1 {
		return "", fmt.Errorf("users %s: give one e-mail address", fs.Name())
	}
	return rest[0], nil
}

func usersFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usersUsage) }
	return fs
}

// usersParse parses flags wherever they stand among the arguments and returns
// the arguments that are not flags.
func usersParse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("users %s: %w", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// usersRoleList is a repeatable --role flag; an unknown role fails at parsing,
// naming it.
type usersRoleList []accounts.Role

func (l *usersRoleList) String() string {
	if l == nil {
		return ""
	}
	return usersRoles(*l)
}

func (l *usersRoleList) Set(s string) error {
	r, err := accounts.ParseRole(s)
	if err != nil {
		return err
	}
	*l = append(*l, r)
	return nil
}

func usersRoles(roles []accounts.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
