package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/surveyadmin"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
	"github.com/feedback-service/feedback/survey/commentcheck"
)

const commentsUsage = `usage:
  feedback comments check [--lang en|cy] [--lists DIR] [--practitioners FILE] FILE
  feedback comments names [--set FILE]

check reads one comment a line from FILE ("-" for standard input) and prints, in
the same order, one JSON object a line: "text" (what a quality lead would read),
"safeguarding" (true when it speaks of suicide, self-harm or harm), "generalised"
(how many details of each category were replaced) and "uncertain" with its
"reasons" (what a moderator would be asked to look at). It needs no server and
writes nothing.

names prints the practitioners' names every comment generalises (as admins
list them at /admin/comment-names), one a line; with --set it replaces them
with FILE's lines ("-" for standard input), audited as "cli". Running servers
use the new names within a minute.
`

// checkedComment is one line of "feedback comments check" output.
type checkedComment struct {
	Text         string                        `json:"text"`
	Safeguarding bool                          `json:"safeguarding"`
	Generalised  map[commentcheck.Category]int `json:"generalised"`
	Uncertain    bool                          `json:"uncertain"`
	Reasons      []commentcheck.Reason         `json:"reasons,omitempty"`
}

// runComments is the "feedback comments" command.
func runComments(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(stderr, commentsUsage)
		return errors.New("comments: the commands are check and names")
	}
	fs := flag.NewFlagSet("feedback comments check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, commentsUsage); fs.PrintDefaults() }
	lang := fs.String("lang", "en", "the comments' language: en or cy")
	lists := fs.String("lists", "", "a directory whose files replace the built-in lists of the same name (format: survey/commentcheck/data)")
	practitioners := fs.String("practitioners", "", "a file of the service's practitioners' names, one a line")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *lang != "en" && *lang != "cy" {
		return fmt.Errorf("comments check: --lang is en or cy, not %q", *lang)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("comments check: name one FILE, or - for standard input")
	}
	opts := commentcheck.Options{Dir: *lists}
	if *practitioners != "" {
		names, err := os.ReadFile(*practitioners)
		if err != nil {
			return fmt.Errorf("comments check: --practitioners: %w", err)
		}
		for _, n := range strings.Split(string(names), "\n") {
			if n = strings.TrimSpace(n); n != "" {
				opts.Practitioners = append(opts.Practitioners, n)
			}
		}
	}
	checker, err := commentcheck.New(opts)
	if err != nil {
		return fmt.Errorf("comments check: %w", err)
	}
	in := stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("comments check: %w", err)
		}
		defer f.Close()
		in = f
	}
	return checkComments(checker, *lang, in, stdout)
}

// checkComments prints one checkedComment a line for each line of in.
func checkComments(checker *commentcheck.Checker, lang string, in io.Reader, stdout io.Writer) error {
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		res := checker.Check(lang, sc.Text())
		line := checkedComment{Text: res.Text, Safeguarding: res.Safeguarding, Generalised: res.Counts(),
			Uncertain: res.Uncertain, Reasons: res.Reasons}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("comments check: read: %w", err)
	}
	return out.Flush()
}

// runCommentNames is "feedback comments names": print the practitioners'
// names, or replace them (--set).
func runCommentNames(ctx context.Context, st *store.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedback comments names", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, commentsUsage); fs.PrintDefaults() }
	set := fs.String("set", "", "replace the names with this file's lines (- for standard input)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("comments names: unexpected %q", fs.Arg(0))
	}
	lib := survey.NewLibrary(st.Database(store.SurveyDatabase), time.Now)
	if *set != "" {
		raw, err := readInput(*set, stdin)
		if err != nil {
			return fmt.Errorf("comments names --set: %w", err)
		}
		if err := lib.SetPractitionerNames(ctx, strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n"), accounts.ActorCLI); err != nil {
			var problems field.Errors
			if errors.As(err, &problems) {
				return fmt.Errorf("comments names --set: nothing saved: %s", problems.Error())
			}
			return err
		}
		acc, err := accounts.New(st, accounts.Config{Now: time.Now})
		if err != nil {
			return err
		}
		names, err := lib.PractitionerNames(ctx)
		if err != nil {
			return err
		}
		if err := acc.Record(ctx, accounts.ActorCLI, surveyadmin.ActionCommentNamesSaved, strconv.Itoa(len(names))); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Saved %d names; running servers use them within a minute.\n", len(names))
	}
	names, err := lib.PractitionerNames(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintln(stdout, n)
	}
	return nil
}

// readInput reads a named file, or standard input for "-".
func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}
