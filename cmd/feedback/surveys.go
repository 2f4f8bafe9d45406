package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

const surveysUsage = `Usage:
  feedback surveys list            every service, its current version and when it was published
  feedback surveys export SERVICE  print the current definition as JSON (the file format)
  feedback surveys check FILE      check a definition file against the rules; exit 1 naming the problem
  feedback surveys publish FILE    publish a definition file as its service's next version

A published version is kept for ever; to go back, publish the earlier file again
(or use Roll back on the admin screen /admin/surveys).
`

// loadSurveys returns the survey library and every version it holds, seeding
// it from the definitions built into the binary on a new install.
func loadSurveys(ctx context.Context, st *store.Store) (*survey.Library, *survey.Catalogue, error) {
	embedded, err := survey.LoadEmbedded()
	if err != nil {
		return nil, nil, err
	}
	lib := survey.NewLibrary(st.Database(store.SurveyDatabase), time.Now)
	if _, err := lib.Seed(ctx, embedded); err != nil {
		return nil, nil, err
	}
	cat, err := lib.Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	return lib, cat, nil
}

// builtInDiffers names the services whose survey built into the binary is not
// the one published: the library is what is served, so a changed file in
// survey/definitions/ changes nothing until it is published.
func builtInDiffers(cat *survey.Catalogue) []string {
	embedded, err := survey.LoadEmbedded()
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range embedded.All() {
		if cur, ok := cat.Get(d.Service); ok && cur.Version != d.Version {
			out = append(out, d.Service)
		}
	}
	return out
}

// surveyFollower keeps a running service on the library's current versions:
// survey pages, dashboards and the sealer's ballot size follow a publish made
// on any instance.
type surveyFollower struct {
	lib    *survey.Library
	cat    *survey.Catalogue
	sealer *ballotbox.Sealer
	dash   *dashboards.Dashboards
	// services, when set, gives intake and the invitation codes a service
	// the library has added.
	services *services
}

// refresh reads the library (a few small documents) and applies a change.
func (f *surveyFollower) refresh(ctx context.Context) error {
	changed, err := f.lib.Refresh(ctx, f.cat)
	if err != nil || !changed {
		return err
	}
	for _, d := range append(f.cat.All(), f.cat.Archive()...) {
		f.sealer.Fit(d)
	}
	f.dash.UseCatalogue(f.cat)
	if f.services != nil {
		if err := f.services.apply(ctx); err != nil {
			// The survey side serves the new version all the same (a survey
			// form must never fail for intake's sake); intake keeps its list.
			f.services.logger.Error("survey services: intake and the invitation codes keep the services they had", "err", err)
		}
	}
	return nil
}

// runSurveys is `feedback surveys`.
func runSurveys(ctx context.Context, st *store.Store, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, surveysUsage)
		return errors.New("surveys: name a command")
	}
	cmd, args := args[0], args[1:]
	lib, cat, err := loadSurveys(ctx, st)
	if err != nil {
		return err
	}
	switch {
	case cmd == "list" && len(args) == 0:
		return listSurveys(ctx, lib, cat, stdout)
	case cmd == "export" && len(args) == 1:
		d, ok := cat.Get(args[0])
		if !ok {
			return fmt.Errorf("surveys export: no survey for service %q", args[0])
		}
		file, err := d.File()
		if err != nil {
			return err
		}
		_, err = stdout.Write(file)
		return err
	case cmd == "publish" && len(args) == 1:
		acc, err := accounts.New(st, accounts.Config{Now: time.Now})
		if err != nil {
			return err
		}
		return publishSurveyFile(ctx, lib, args[0], stdout, func(ctx context.Context, a accounts.Action, target string) error {
			return acc.Record(ctx, accounts.ActorCLI, a, target)
		})
	}
	fmt.Fprint(stderr, surveysUsage)
	return fmt.Errorf("surveys: unknown command or arguments %q", append([]string{cmd}, args...))
}

func listSurveys(ctx context.Context, lib *survey.Library, cat *survey.Catalogue, stdout io.Writer) error {
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SERVICE\tNUMBER\tVERSION\tMONTH\tBY\tTITLE")
	for _, d := range cat.All() {
		history, err := lib.History(ctx, d.Service)
		if err != nil {
			return err
		}
		p := history[len(history)-1]
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", d.Service, p.Number, p.Version, p.Month, p.By, d.Title)
	}
	return w.Flush()
}

func checkSurveyFile(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("surveys check: name one FILE")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return fmt.Errorf("surveys check: %w", err)
	}
	d, err := survey.ParseDefinition(data)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], describeDefinitionError(err))
	}
	fmt.Fprintf(stdout, "%s: survey %s is valid (version %s, %d questions, about %d seconds)\n",
		args[0], d.Service, d.Version, len(d.Questions), d.EstimatedSeconds())
	return nil
}

func publishSurveyFile(ctx context.Context, lib *survey.Library, file string, stdout io.Writer,
	audit func(context.Context, accounts.Action, string) error) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("surveys publish: %w", err)
	}
	p, err := lib.Publish(ctx, data, accounts.ActorCLI)
	if errors.Is(err, survey.ErrUnchanged) {
		fmt.Fprintln(stdout, "Nothing changed: the file asks what the current version asks.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, describeDefinitionError(err))
	}
	fmt.Fprintf(stdout, "Published %s number %d (version %s). Running services pick it up within a minute.\n",
		p.Service, p.Number, p.Version)
	if err := describeChange(ctx, lib, p, stdout); err != nil {
		return err
	}
	return audit(ctx, accounts.Action("survey_published"), p.Service+"/"+strconv.Itoa(p.Number))
}

// describeDefinitionError puts the field a rule names in front of the message.
func describeDefinitionError(err error) error {
	var de *survey.DefinitionError
	if errors.As(err, &de) && de.Field != "" {
		return fmt.Errorf("%s: %w", de.Field, err)
	}
	return err
}

// describeChange prints what changed from the version before p, and each text
// changed in one language and not the other, as the admin screens show them.
func describeChange(ctx context.Context, lib *survey.Library, p *survey.Published, stdout io.Writer) error {
	history, err := lib.History(ctx, p.Service)
	if err != nil || p.Number < 2 || len(history) < p.Number {
		return err
	}
	prev := history[p.Number-2].Definition
	fmt.Fprintf(stdout, "Compared with number %d: %s.\n", p.Number-1, survey.Compare(prev, p.Definition).Summary())
	for _, w := range survey.LanguageWarnings(prev, p.Definition) {
		fmt.Fprintln(stdout, "Warning:", w)
	}
	return nil
}
