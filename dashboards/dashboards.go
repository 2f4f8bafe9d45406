// Package dashboards reads the survey's counters and publishes aggregates for
// the quality team: per service and month, over whole-month ranges, with
// disclosure control that no combination of views can get round.
//
// The rules, enforced here and nowhere else, so every page, chart, CSV and JSON
// value is made from the same published figures:
//
//   - The unit of publication is a bucket: (service, month) for the FFT question
//     and for every question every known version of the survey asks with the
//     same Fingerprint; (service, version, month) for the others.
//   - A bucket with fewer than K responses publishes nothing, not even that it
//     has any: a month with 3 responses and a month with none look the same.
//   - Every figure (totals, percentages, scores, rates, chart points, CSV cells,
//     FFT-return cells, comments) is computed from published buckets only, so
//     the difference between any two views is made of whole published buckets.
//
// The package reads the small counters and invitation-count collections only;
// it never reads the responses collection, and writes nothing but the quality
// team's own settings (SPC targets and baselines, theme corrections, the board
// pack's chosen comments), publication notices and, through survey, a
// moderator's decision on a comment (moderation.go): a comment the check was
// unsure of reaches no quality lead until a moderator approves or redacts it. Invitation counts are
// written by survey.InvitationCounts, and the demo data by ballotbox.Demo.
package dashboards

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/survey"
)

// Disclosure threshold: K is configurable but never below MinK.
const (
	DefaultK = 10
	MinK     = 5
)

// DefaultMaxAge is how long loaded counters are trusted before they are read
// again; other instances may have stored responses meanwhile.
const DefaultMaxAge = 5 * time.Second

// Options configures Dashboards.
type Options struct {
	// K is the fewest responses a bucket needs to publish anything: 0 means
	// DefaultK, and a value below MinK is refused.
	K int
	// MaxAge is how old loaded counters may be before a request reloads them.
	MaxAge time.Duration
	// Archive holds earlier versions of the surveys. A question is compared
	// across versions only where every known version asks it with the same
	// Fingerprint; answers from a version not in the catalogue or the archive
	// count towards responses and the FFT question only.
	Archive []*survey.Definition
	// CommentsMaxAge is how long a service's loaded comments serve requests
	// before a reload is started in the background.
	CommentsMaxAge time.Duration
	// OrganisationCode is the ODS code the FFT return names; empty leaves it blank.
	OrganisationCode string
	// ThemesFile is a file of theme rules replacing the embedded ones
	// (dashboards/themes.txt shows the format); empty means the embedded ones.
	ThemesFile string
	// SafeguardingGuidance is shown with the comments that spoke of risk
	// (plain text, paragraphs separated by blank lines); empty means
	// DefaultSafeguardingGuidance.
	SafeguardingGuidance string
	// Now is the clock; required.
	Now    func() time.Time
	Logger *slog.Logger
}

// ErrUnknownService means the service has no survey in the catalogue.
var ErrUnknownService = errors.New("no such service")

// Dashboards holds the counters in memory and computes published aggregates.
type Dashboards struct {
	db      *mongo.Database
	surveys map[string]*surveyVersions
	order   []string // services in catalogue order
	k       int
	maxAge  time.Duration
	now     func() time.Time
	log     *slog.Logger
	// surveysMu guards surveys and order: a published version replaces them (surveys.go).
	surveysMu sync.RWMutex

	mu   sync.Mutex // guards snap and serialises reloads
	snap *snapshot

	charts    *chartCache
	comments  *commentCache
	summaries *summaries
	themes    *Tagger
	orgCode   string
	guidance  string
}

// New returns dashboards over the survey database db for the surveys of cat.
func New(db *mongo.Database, cat *survey.Catalogue, opts Options) (*Dashboards, error) {
	k := opts.K
	if k == 0 {
		k = DefaultK
	}
	if k < MinK {
		return nil, fmt.Errorf("dashboards: K (the fewest responses a bucket needs to publish) is %d; it may not be below %d", k, MinK)
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.CommentsMaxAge <= 0 {
		opts.CommentsMaxAge = 30 * time.Second
	}
	if opts.Now == nil {
		return nil, errors.New("dashboards: no clock (Now)")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	d := &Dashboards{
		db:      db,
		surveys: map[string]*surveyVersions{},
		k:       k,
		maxAge:  opts.MaxAge,
		now:     opts.Now,
		log:     opts.Logger,
		charts:  newChartCache(),
	}
	themes, err := LoadThemes(opts.ThemesFile)
	if err != nil {
		return nil, fmt.Errorf("dashboards: themes file %q: %w", opts.ThemesFile, err)
	}
	d.themes = themes
	if !ValidOrganisationCode(opts.OrganisationCode) {
		return nil, fmt.Errorf("dashboards: organisation code %q is not an ODS code (3 to 10 letters and digits)", opts.OrganisationCode)
	}
	d.orgCode = opts.OrganisationCode
	if err := CheckGuidance(opts.SafeguardingGuidance); err != nil {
		return nil, fmt.Errorf("dashboards: safeguarding guidance: %w", err)
	}
	d.guidance = cmp.Or(CleanGuidance(opts.SafeguardingGuidance), DefaultSafeguardingGuidance)
	d.comments = newCommentCache(db, themes, opts.CommentsMaxAge, opts.Now, opts.Logger)
	d.summaries = newSummaries(db)
	for _, def := range cat.All() {
		var archived []*survey.Definition
		for _, a := range opts.Archive {
			if a.Service == def.Service {
				archived = append(archived, a)
			}
		}
		d.surveys[def.Service] = newSurveyVersions(def, archived)
		d.order = append(d.order, def.Service)
	}
	return d, nil
}

// OrganisationCode is the ODS code the FFT return names, or "".
func (d *Dashboards) OrganisationCode() string { return d.orgCode }

// ValidOrganisationCode says whether code is empty or shaped like an ODS
// code: 3 to 10 capital letters and digits (e.g. RX4 or RX4AB).
func ValidOrganisationCode(code string) bool {
	if code == "" {
		return true
	}
	if len(code) < 3 || len(code) > 10 {
		return false
	}
	for _, r := range code {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// Logger is where the dashboards log, for work done after a request returns.
func (d *Dashboards) Logger() *slog.Logger { return d.log }

// K returns the disclosure threshold in force.
func (d *Dashboards) K() int { return d.k }

// Now is the dashboards' clock: what "this month" is.
func (d *Dashboards) Now() time.Time { return d.now() }

// Services returns the service types with a survey, in catalogue order.
func (d *Dashboards) Services() []string {
	d.surveysMu.RLock()
	defer d.surveysMu.RUnlock()
	return append([]string(nil), d.order...)
}

// Refresh reads the counters and invitation counts again now, and drops the
// comments held in memory so the next page reads them afresh.
func (d *Dashboards) Refresh(ctx context.Context) error {
	d.comments.invalidate()
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := loadSnapshot(ctx, d.db, d.now())
	if err != nil {
		return err
	}
	d.snap = s
	return nil
}

// current returns the loaded counters, reading them again if they are older
// than MaxAge. If a reload fails, the last good counters keep serving.
func (d *Dashboards) current(ctx context.Context) (*snapshot, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.snap != nil && d.now().Sub(d.snap.loaded) < d.maxAge {
		return d.snap, nil
	}
	s, err := loadSnapshot(ctx, d.db, d.now())
	if err != nil {
		if d.snap != nil {
			d.log.Error("reload survey counters; serving the last ones read", "err", err)
			return d.snap, nil
		}
		return nil, err
	}
	d.snap = s
	return s, nil
}

// CountersVersion identifies the counters currently loaded: it changes when,
// and only when, their content does. Rendered charts are cached under it.
func (d *Dashboards) CountersVersion(ctx context.Context) (string, error) {
	s, err := d.current(ctx)
	if err != nil {
		return "", err
	}
	return s.version, nil
}
