package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/feedback-service/feedback/store"
)

// The library keeps every survey version ever published, one small document
// each, in the survey database: a few documents per service, so it is read
// whole. A version is never updated or deleted once inserted; publishing
// inserts the next one, and rolling back publishes an earlier one's file again.
// Each document records the staff member who published it and the month: a
// staff action, never anything about the people who answer.
const versionsCollection = "survey_versions"

// Errors a publish can end with besides a *DefinitionError.
var (
	// ErrUnchanged means the definition asks exactly what the current version asks.
	ErrUnchanged = errors.New("nothing changed: the definition is the same as the current version")
	// ErrPublishConflict means someone else published a version of the same
	// service meanwhile; the draft was based on a version no longer current.
	ErrPublishConflict = errors.New("someone else published a version of this survey at the same time; " +
		"look at the new current version and publish again if your change is still needed")
	// ErrNoSuchVersion means a rollback named a version the library does not hold.
	ErrNoSuchVersion = errors.New("no such version")
)

// Library is the survey definitions kept in the database.
type Library struct {
	coll     *mongo.Collection
	counters *mongo.Collection
	now      func() time.Time

	mu     sync.Mutex
	parsed map[string]*Published // by _id: a version never changes, so it is parsed once
	// youSaid caches each service's "You said, we did" entries (yousaid.go).
	youSaid map[string]cachedYouSaid

	// CheckNewService, when set, checks a service's name before its first
	// version is published (serve: that its survey text fits one SMS).
	CheckNewService func(service string) error
}

// NewLibrary returns the library of the survey database db.
func NewLibrary(db *mongo.Database, now func() time.Time) *Library {
	if now == nil {
		panic("survey.NewLibrary: no clock")
	}
	return &Library{coll: db.Collection(versionsCollection), counters: db.Collection(countersCollection), now: now,
		parsed: map[string]*Published{}, youSaid: map[string]cachedYouSaid{}}
}

// Published is one published version of a service's survey.
type Published struct {
	Service string
	// Number counts the service's publications from 1; a rollback gets a new
	// number and the Version (content hash) of the version it restores.
	Number  int
	Version string
	// Month is when it was published (YYYY-MM): the survey database keeps no
	// finer time, so nothing in it can be joined to intake's records by time.
	// The audit log has the moment, with who.
	Month      string
	By         string // a staff e-mail, or "cli" or "seed"
	Note       string
	Definition *Definition
	File       []byte // the definition as imported and exported
}

type versionDoc struct {
	ID      string `bson:"_id"` // service|number: the unique key two publishers race for
	Service string `bson:"service"`
	Number  int    `bson:"number"`
	Version string `bson:"version"`
	File    string `bson:"definition"`
	Month   string `bson:"month"`
	By      string `bson:"by"`
	Note    string `bson:"note,omitempty"`
}

func versionID(service string, number int) string {
	return service + "|" + fmt.Sprintf("%06d", number)
}

// all reads every version, by service then number.
func (l *Library) all(ctx context.Context) ([]*Published, error) {
	cur, err := l.coll.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read survey versions: %w", err)
	}
	var docs []versionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read survey versions: %w", err)
	}
	out := make([]*Published, 0, len(docs))
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range docs {
		if p, ok := l.parsed[d.ID]; ok {
			out = append(out, p)
			continue
		}
		def, err := parseDefinition([]byte(d.File), false)
		if err != nil {
			return nil, fmt.Errorf("survey version %s: %w", d.ID, err)
		}
		p := &Published{Service: d.Service, Number: d.Number, Version: def.Version, Month: d.Month,
			By: d.By, Note: d.Note, Definition: def, File: []byte(d.File)}
		l.parsed[d.ID] = p
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Number < out[j].Number
	})
	return out, nil
}

// History returns every published version of service, oldest first.
func (l *Library) History(ctx context.Context, service string) ([]*Published, error) {
	all, err := l.all(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Published
	for _, p := range all {
		if p.Service == service {
			out = append(out, p)
		}
	}
	return out, nil
}

// Seed publishes each survey of seed whose service has no version yet: a new
// install starts from the definitions built into the binary. It returns the
// services seeded.
func (l *Library) Seed(ctx context.Context, seed *Catalogue) ([]string, error) {
	all, err := l.all(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, p := range all {
		have[p.Service] = true
	}
	var seeded []string
	for _, d := range seed.All() {
		if have[d.Service] {
			continue
		}
		file, err := d.File()
		if err != nil {
			return nil, err
		}
		_, err = l.insert(ctx, d, file, 1, "seed", "built into the binary")
		if err != nil && !errors.Is(err, ErrPublishConflict) { // another instance seeded it first
			return nil, err
		}
		seeded = append(seeded, d.Service)
	}
	return seeded, nil
}

// Load returns a catalogue of every service's current version, knowing every
// version ever published.
func (l *Library) Load(ctx context.Context) (*Catalogue, error) {
	c := &Catalogue{byService: map[string]*Definition{}}
	if _, err := l.Refresh(ctx, c); err != nil {
		return nil, err
	}
	if len(c.ordered) == 0 {
		return nil, errors.New("the survey library holds no surveys: seed it first")
	}
	return c, nil
}

// Refresh reads the library again into c, and reports whether any service's
// current version, or the set of versions known, changed.
func (l *Library) Refresh(ctx context.Context, c *Catalogue) (bool, error) {
	all, err := l.all(ctx)
	if err != nil {
		return false, err
	}
	current := map[string]*Definition{}
	versions := map[string]*Definition{}
	for _, p := range all {
		current[p.Service] = p.Definition // the highest number wins: all is sorted
		if _, ok := versions[p.Service+"|"+p.Version]; !ok {
			versions[p.Service+"|"+p.Version] = p.Definition
		}
	}
	return c.replace(current, versions), nil
}

// Publish checks a definition file with the rules the service starts with,
// refuses to drop an option that has answers, and publishes it as the
// service's next version. by names the staff member (or "cli").
func (l *Library) Publish(ctx context.Context, file []byte, by string) (*Published, error) {
	return l.publish(ctx, file, by, "", 0)
}

// PublishOver publishes like Publish a draft made from the service's version
// number base: if another version was published since, nothing is published
// and the error is ErrPublishConflict. Two staff publishing at once race for
// one unique key; one wins.
func (l *Library) PublishOver(ctx context.Context, file []byte, by string, base int) (*Published, error) {
	if base < 1 {
		return nil, fmt.Errorf("%w: base number %d", ErrNoSuchVersion, base)
	}
	return l.publish(ctx, file, by, "", base)
}

// Rollback publishes an earlier version of service again, as its next version.
func (l *Library) Rollback(ctx context.Context, service string, number int, by string) (*Published, error) {
	history, err := l.History(ctx, service)
	if err != nil {
		return nil, err
	}
	for _, p := range history {
		if p.Number == number {
			// Its answers, and those of the versions after it, stay with the
			// versions they were given under, so no option check is needed.
			return l.publish(ctx, p.File, by, "rolled back to number "+strconv.Itoa(number), -1)
		}
	}
	return nil, fmt.Errorf("%w: %s number %d", ErrNoSuchVersion, service, number)
}

// publish inserts file as the next version after base (0: after the current
// one; -1: the same, for a rollback, which skips the option check).
func (l *Library) publish(ctx context.Context, file []byte, by, note string, base int) (*Published, error) {
	def, history, err := l.parseWithHistory(ctx, file)
	if err != nil {
		return nil, err
	}
	next := len(history) + 1
	if len(history) == 0 && l.CheckNewService != nil && !slices.Contains(BuiltInServices, def.Service) {
		if err := l.CheckNewService(def.Service); err != nil {
			return nil, &DefinitionError{Field: "service", Message: err.Error()}
		}
	}
	if n := len(history); n > 0 {
		cur := history[n-1]
		next = cur.Number + 1
		if cur.Version == def.Version {
			return nil, ErrUnchanged
		}
		if base >= 0 {
			if err := l.checkRemovedOptions(ctx, cur.Definition, def); err != nil {
				return nil, err
			}
		}
	}
	if base > 0 {
		next = base + 1 // taken already if base is not current: the insert is refused
	}
	return l.insert(ctx, def, file, next, by, note)
}

func (l *Library) insert(ctx context.Context, def *Definition, file []byte, number int, by, note string) (*Published, error) {
	if number == 1 && !slices.Contains(BuiltInServices, def.Service) {
		if err := l.claimServiceIndex(ctx, def.Service); err != nil {
			return nil, err
		}
	}
	doc := versionDoc{ID: versionID(def.Service, number), Service: def.Service, Number: number, Version: def.Version,
		File: string(file), Month: Month(l.now()), By: by, Note: note}
	if _, err := l.coll.InsertOne(ctx, doc); err != nil {
		if store.IsDuplicateKey(err) {
			return nil, ErrPublishConflict
		}
		return nil, fmt.Errorf("publish survey version: %w", err)
	}
	return &Published{Service: def.Service, Number: number, Version: def.Version, Month: doc.Month, By: by, Note: note,
		Definition: def, File: file}, nil
}

// checkRemovedOptions refuses a new version that drops an option of a question
// (same id) from the current version when some counted answer chose it.
func (l *Library) checkRemovedOptions(ctx context.Context, cur, next *Definition) error {
	type removed struct{ q, option string }
	var gone []removed
	for _, q := range cur.Questions {
		nq, ok := next.Question(q.ID)
		if !ok || q.Kind == Text {
			continue
		}
		for _, o := range q.Options {
			if !nq.HasOption(o.Value) {
				gone = append(gone, removed{q.ID, o.Value})
			}
		}
	}
	if len(gone) == 0 {
		return nil
	}
	// The counters hold a few documents per service and month: small.
	cur2, err := l.counters.Find(ctx, bson.D{{Key: "service", Value: cur.Service}})
	if err != nil {
		return fmt.Errorf("read counters: %w", err)
	}
	var docs []CounterDoc
	if err := cur2.All(ctx, &docs); err != nil {
		return fmt.Errorf("read counters: %w", err)
	}
	for _, g := range gone {
		for _, c := range docs {
			if c.A[g.q][g.option] > 0 {
				return &DefinitionError{Field: optionField(next, g.q),
					Message: fmt.Sprintf("question %q: option %q has answers, so it cannot be removed; "+
						"ask a new question with a new id instead", g.q, g.option)}
			}
		}
	}
	return nil
}

func optionField(d *Definition, id string) string {
	for i, q := range d.Questions {
		if q.ID == id {
			return fmt.Sprintf("questions[%d].options", i)
		}
	}
	return "questions"
}

// parseWithHistory checks file against the start-up rules (any problem is a
// *DefinitionError) and reads every published version of its service.
func (l *Library) parseWithHistory(ctx context.Context, file []byte) (*Definition, []*Published, error) {
	def, err := ParseDefinition(file)
	var de *DefinitionError
	if err != nil && !errors.As(err, &de) {
		return nil, nil, &DefinitionError{Field: "definition", Message: err.Error()}
	}
	if err != nil {
		return nil, nil, err
	}
	history, err := l.History(ctx, def.Service)
	if err != nil {
		return nil, nil, err
	}
	return def, history, nil
}
