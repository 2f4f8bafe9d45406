package ballotbox

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/survey"
)

// DemoOptions shapes the synthetic data Demo stores.
type DemoOptions struct {
	Responses int       // across every service; 0 means 2,000
	Now       time.Time // the demo fills the 12 months ending with this one; required
	Seed      uint64    // same seed, same answers
	// Progress, if set, is told as each service's month is stored.
	Progress func(service, month string, stored int)
	// Sealer seals the ballots (required), and K is the disclosure threshold
	// their release uses (0 means 10, the service's default).
	Sealer *Sealer
	K      int
}

// DemoReport says what Demo stored.
type DemoReport struct {
	Responses   int
	Comments    int
	Invitations int64
	From, To    string
}

// Demo fills the survey database with realistic synthetic responses for every
// service over the last 12 whole months, and releases each month as the
// service would once it closed: a seasonal rhythm (busy winters, quiet
// Augusts and Christmases), slowly improving answers, a larger and a smaller
// service (two of whose months fall below the default K of 10), a few hundred
// varied comments and invitation counts. Every response goes through the same
// code as a real submission: a form nonce, the form's validation, Submit.
func Demo(ctx context.Context, db *mongo.Database, cat *survey.Catalogue, opts DemoOptions) (*DemoReport, error) {
	if opts.Responses <= 0 {
		opts.Responses = 2000
	}
	if opts.Now.IsZero() {
		return nil, fmt.Errorf("demo: no start time (Now)")
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed))
	var clock atomic.Int64
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	clock.Store(opts.Now.UnixNano())
	if opts.Sealer == nil {
		return nil, fmt.Errorf("demo: no sealer")
	}
	if opts.K == 0 {
		opts.K = demoK
	}
	responses := NewResponses(db, Options{Now: now, Sealer: opts.Sealer})
	defer responses.Close()
	releaser, err := NewReleaser(db, cat, ReleaseOptions{Sealer: opts.Sealer, K: opts.K, Now: now})
	if err != nil {
		return nil, err
	}
	invitations := survey.NewInvitationCounts(db)

	defs := cat.All()
	months := demoMonths(opts.Now, 12)
	report := &DemoReport{From: months[0], To: months[len(months)-1]}
	weights := make([]float64, len(months))
	var total float64
	for i, m := range months {
		weights[i] = seasonal(m)
		total += weights[i]
	}
	// Month by month, as the service would see them: each month's answers of
	// every service, then its release once it has closed (a small group is
	// carried into the next month's box, released in its turn), so sealed
	// ballots never pile up beyond a month.
	for mi, m := range months {
		for si, def := range defs {
			if err := demoMonth(ctx, demoFill{responses, invitations, def, rng, &clock, opts, report}, si, len(defs), mi, m, weights[mi]/total, float64(mi)/float64(len(months)-1)); err != nil {
				return report, err
			}
		}
		start, _ := time.Parse(survey.MonthLayout, m)
		clock.Store(start.AddDate(0, 1, 0).Add(DefaultReleaseGrace).UnixNano())
		if _, err := releaser.Release(ctx, m); err != nil {
			return report, fmt.Errorf("demo: release %s: %w", m, err)
		}
	}
	return report, nil
}

// demoFill is what filling one service's month needs.
type demoFill struct {
	responses   *Responses
	invitations *survey.InvitationCounts
	def         *survey.Definition
	rng         *rand.Rand
	clock       *atomic.Int64
	opts        DemoOptions
	report      *DemoReport
}

// demoMonth stores one service's answers for month m: share of the year's
// responses, answered a little better as the year goes on (progress, 0 to 1).
func demoMonth(ctx context.Context, f demoFill, si, services, mi int, m string, share, progress float64) error {
	part := 0.68 // the first service (counselling) is the larger
	if si > 0 {
		part = 0.32 / float64(services-1)
	}
	n := int(math.Round(float64(f.opts.Responses) * part * share))
	if si == services-1 && services > 1 && (mi == 3 || mi == 8) {
		n = 3 + f.rng.IntN(5) // a quiet month: fewer than K responses, so hidden
	}
	f.clock.Store(dayIn(m, f.opts.Now, f.rng).UnixNano())
	forms := make([]url.Values, n)
	for i := range forms {
		forms[i] = demoForm(f.rng, f.def, progress)
		for _, q := range f.def.Questions {
			if q.Kind == survey.Text && forms[i].Get(q.ID) != "" {
				f.report.Comments++
			}
		}
	}
	if err := submitAll(ctx, f.responses, f.def, forms); err != nil {
		return fmt.Errorf("demo %s %s: %w", f.def.Service, m, err)
	}
	f.report.Responses += n
	inv := int64(math.Round(float64(n) / (0.26 + 0.08*f.rng.Float64())))
	if err := f.invitations.Add(ctx, f.def.Service, m, inv); err != nil {
		return err
	}
	f.report.Invitations += inv
	if f.opts.Progress != nil {
		f.opts.Progress(f.def.Service, m, n)
	}
	return nil
}

// submitAll submits forms as many people at once would, so they are stored in
// batches as real submissions are.
func submitAll(ctx context.Context, r *Responses, def *survey.Definition, forms []url.Values) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, 32)
	for i, form := range forms {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// Most answer through the invitation in their text; one in eight
			// through the open link on the service's web page.
			err := submitForm(ctx, r, def, form, i%8 != 0)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

func submitForm(ctx context.Context, r *Responses, def *survey.Definition, form url.Values, verified bool) error {
	issue := r.Keys().Issue
	if verified {
		issue = r.Keys().IssueVerified
	}
	nonce, err := issue(ctx, def.Service)
	if err != nil {
		return err
	}
	answers, ve := def.ParseForm(form)
	if ve != nil {
		return ve
	}
	_, err = r.Submit(ctx, def, nonce, answers)
	return err
}

// seasonal is a month's relative number of responses: most in late winter,
// fewest in August (changeover) and December.
func seasonal(month string) float64 {
	t, _ := time.Parse(survey.MonthLayout, month)
	w := 1 + 0.25*math.Cos(2*math.Pi*float64(t.Month()-2)/12)
	switch t.Month() {
	case time.August:
		w *= 0.7
	case time.December:
		w *= 0.75
	}
	return w
}

// dayIn picks a time in month, no later than now.
func dayIn(month string, now time.Time, rng *rand.Rand) time.Time {
	t, _ := time.Parse(survey.MonthLayout, month)
	last := t.AddDate(0, 1, -1).Day()
	if survey.Month(now) == month {
		last = now.UTC().Day()
	}
	return t.AddDate(0, 0, rng.IntN(last)).Add(9*time.Hour + time.Duration(rng.IntN(10*3600))*time.Second)
}

// demoForm answers a survey as a person might: the better the overall
// experience, the better the other answers, and some say why.
func demoForm(rng *rand.Rand, def *survey.Definition, progress float64) url.Values {
	positive := 0.70 + 0.12*progress
	r := rng.Float64()
	var fft string
	var mood int // 2 good, 1 middling, 0 poor
	switch {
	case r < positive*0.6:
		fft, mood = "very_good", 2
	case r < positive:
		fft, mood = "good", 2
	case r < positive+0.09:
		fft, mood = "neither", 1
	case r < positive+0.09+0.03:
		fft, mood = "dont_know", 1
	case r < positive+0.09+0.03+(1-positive-0.12)/2:
		fft, mood = "poor", 0
	default:
		fft, mood = "very_poor", 0
	}
	form := url.Values{survey.FFTQuestionID: {fft}}
	for _, q := range def.Questions[1:] {
		if rng.Float64() < 0.12 {
			continue // skipped
		}
		switch q.Kind {
		case survey.Text:
			if rng.Float64() < 0.35 {
				form.Set(q.ID, demoComment(rng, mood))
			}
		case survey.Likelihood:
			lo, hi := []int{0, 5, 8}[mood], []int{6, 8, 10}[mood]
			form.Set(q.ID, strconv.Itoa(lo+rng.IntN(hi-lo+1)))
		case survey.Multiple:
			for i, o := range q.Options {
				if rng.Float64() < []float64{0.7, 0.25, 0.2, 0.1}[min(i, 3)] {
					form.Add(q.ID, o.Value)
				}
			}
		case survey.YesNo:
			form.Set(q.ID, map[bool]string{true: "yes", false: "no"}[rng.Float64() < []float64{0.35, 0.7, 0.95}[mood]])
		default:
			// Options run from best to worst: lean towards the mood's end.
			n := len(q.Options)
			centre := float64(n-1) * (1 - float64(mood)/2)
			i := int(math.Round(centre + rng.NormFloat64()*0.9))
			form.Set(q.ID, q.Options[max(0, min(n-1, i))].Value)
		}
	}
	return form
}

var (
	commentOpeners = [][]string{
		{"Honestly, it was hard to get through.", "I waited a long time.", "It did not feel like the right fit for me.", "I was passed around.", "The call felt rushed."},
		{"It was fine.", "Some of it helped.", "Mixed, to be honest.", "It was okay once I got through.", "Not sure yet."},
		{"It helped enormously.", "I felt heard for the first time in months.", "Kind, calm and practical.", "Exactly what I needed.", "Really grateful."},
	}
	commentDetails = []string{
		"after a run of night shifts", "during my F2 rotation", "while I was off sick", "after a complaint against me",
		"when I was thinking of leaving medicine", "with exams coming up", "after a patient death", "as a new consultant",
		"while working less than full time", "after moving deanery", "during a difficult ARCP", "while on parental leave",
	}
	commentClosers = [][]string{
		{"A call back time would help.", "Please make evening slots easier to book.", "I gave up in the end.", "I needed someone sooner."},
		{"I might call again.", "Evening slots would help.", "The website could be clearer.", "Thank you anyway."},
		{"Thank you.", "I'd recommend it to any colleague.", "I wish I'd called sooner.", "The follow-up text was a nice touch."},
	}
)

func demoComment(rng *rand.Rand, mood int) string {
	o := commentOpeners[mood][rng.IntN(len(commentOpeners[mood]))]
	d := commentDetails[rng.IntN(len(commentDetails))]
	c := commentClosers[mood][rng.IntN(len(commentClosers[mood]))]
	if rng.IntN(3) == 0 {
		return o + " " + c
	}
	return fmt.Sprintf("I called %s. %s %s", d, o, c)
}

// demoK is the disclosure threshold the demo's releases use when none is given:
// the service's default.
const demoK = 10

// demoMonths lists the n whole months before now's month, oldest first.
func demoMonths(now time.Time, n int) []string {
	now = now.UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	months := make([]string, n)
	for i := range months {
		months[i] = survey.Month(first.AddDate(0, i-n, 0))
	}
	return months
}
