package survey

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
)

// serviceIndexCollection numbers the services added after the built-ins, in
// the order they were first published: invitation codes carry the number
// (4 bits), so it never changes once given and is the same on every
// instance. One small document per service, at most MaxServices: read whole.
const serviceIndexCollection = "survey_service_index"

// MaxServices is how many services an invitation code can name (4 bits).
const MaxServices = 16

type serviceIndexDoc struct {
	ID      string `bson:"_id"` // the number, two digits: the unique key two publishers race for
	Service string `bson:"service"`
}

// ServiceIndex returns every service by its invitation number: the built-ins
// first, then each service added, in the order it was first published.
func (l *Library) ServiceIndex(ctx context.Context) ([]string, error) {
	cur, err := l.coll.Database().Collection(serviceIndexCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read service numbers: %w", err)
	}
	var docs []serviceIndexDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read service numbers: %w", err)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	out := slices.Clone(BuiltInServices)
	for _, d := range docs {
		if !slices.Contains(out, d.Service) {
			out = append(out, d.Service)
		}
	}
	return out, nil
}

// claimServiceIndex gives a service that is not yet numbered the next
// number, refusing a seventeenth service.
func (l *Library) claimServiceIndex(ctx context.Context, service string) error {
	coll := l.coll.Database().Collection(serviceIndexCollection)
	for range MaxServices {
		have, err := l.ServiceIndex(ctx)
		if err != nil {
			return err
		}
		if slices.Contains(have, service) {
			return nil
		}
		if len(have) >= MaxServices {
			return &DefinitionError{Field: "service", Message: fmt.Sprintf("the service offers %d surveys already, the most an invitation code can name: "+
				"a new service cannot be added; publish a new version of an existing one instead", MaxServices)}
		}
		_, err = coll.InsertOne(ctx, serviceIndexDoc{ID: fmt.Sprintf("%02d", len(have)), Service: service})
		if err == nil {
			return nil
		}
		if !store.IsDuplicateKey(err) {
			return fmt.Errorf("number service %s: %w", service, err)
		}
		// Another service took that number meanwhile: read again.
	}
	return fmt.Errorf("number service %s: too many at once", service)
}

// NumberServices numbers any service in the library that has no number yet (one
// published before services were numbered), by name, and returns every
// service by number as ServiceIndex does.
func (l *Library) NumberServices(ctx context.Context) ([]string, error) {
	all, err := l.all(ctx)
	if err != nil {
		return nil, err
	}
	have, err := l.ServiceIndex(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range all { // by service, then number
		if !slices.Contains(have, p.Service) {
			if err := l.claimServiceIndex(ctx, p.Service); err != nil {
				return nil, fmt.Errorf("number service %s: %w", p.Service, err)
			}
			have = append(have, p.Service)
		}
	}
	return l.ServiceIndex(ctx)
}
