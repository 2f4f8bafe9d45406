package survey_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/feedback-service/feedback/survey"
)

// newService is the counselling survey published as another service.
func newService(t testing.TB, cat *survey.Catalogue, service, basedOn string) []byte {
	return variant(t, cat, func(d *survey.Definition) { d.Service, d.BasedOn = service, basedOn })
}

func TestPublish_ANewServiceNamesTheBuiltInItIsBasedOn(t *testing.T) {
	lib, cat := newLibrary(t)
	ctx := context.Background()
	var de *survey.DefinitionError
	if _, err := lib.Publish(ctx, newService(t, cat, "video-counselling", ""), "cli"); !errors.As(err, &de) || de.Field != "based_on" {
		t.Fatalf("new service without based_on: %v, want based_on marked", err)
	}
	if _, err := survey.ParseDefinition(newService(t, cat, "video-counselling", "")); !errors.As(err, &de) || de.Field != "based_on" {
		t.Fatalf("checking a new service without based_on: %v, want based_on marked", err)
	}
	if _, err := lib.Publish(ctx, newService(t, cat, "video-counselling", "video"), "cli"); !errors.As(err, &de) || de.Field != "based_on" {
		t.Fatalf("based on a service that is not built in: %v, want based_on marked", err)
	}
	if _, err := lib.Publish(ctx, newService(t, cat, "counselling", "peer-support"), "cli"); !errors.As(err, &de) || de.Field != "based_on" {
		t.Fatalf("a built-in based on another: %v, want based_on marked", err)
	}
	p, err := lib.Publish(ctx, newService(t, cat, "video-counselling", "counselling"), "cli")
	if err != nil {
		t.Fatal(err)
	}
	if p.Definition.Kind() != "counselling" || p.Number != 1 {
		t.Errorf("published %+v, kind %q", p, p.Definition.Kind())
	}
	builtIn, _ := cat.Get("counselling")
	if builtIn.Kind() != "counselling" {
		t.Errorf("the built-in's kind is %q", builtIn.Kind())
	}
	// Same questions: the fingerprints compare, whatever the service is based on.
	if p.Definition.Questions[0].Fingerprint != builtIn.Questions[0].Fingerprint {
		t.Error("based_on changed a fingerprint")
	}
}

func TestServiceIndex_NumbersServicesInTheOrderFirstPublishedAndRefusesASeventeenth(t *testing.T) {
	lib, cat := newLibrary(t)
	ctx := context.Background()
	for _, s := range []string{"video-counselling", "group-support"} {
		if _, err := lib.Publish(ctx, newService(t, cat, s, "counselling"), "cli"); err != nil {
			t.Fatal(err)
		}
	}
	// A new version of a numbered service keeps its number.
	if _, err := lib.Publish(ctx, newService(t, cat, "video-counselling", "peer-support"), "cli"); err != nil {
		t.Fatal(err)
	}
	want := []string{"counselling", "peer-support", "video-counselling", "group-support"}
	if got, err := lib.ServiceIndex(ctx); err != nil || !slices.Equal(got, want) {
		t.Fatalf("index %v %v, want %v", got, err, want)
	}
	for i := len(want); i < survey.MaxServices; i++ {
		if _, err := lib.Publish(ctx, newService(t, cat, fmt.Sprintf("service-%c", 'a'+i), "counselling"), "cli"); err != nil {
			t.Fatal(err)
		}
	}
	var de *survey.DefinitionError
	if _, err := lib.Publish(ctx, newService(t, cat, "one-too-many", "counselling"), "cli"); !errors.As(err, &de) || de.Field != "service" {
		t.Fatalf("a 17th service: %v, want refused naming the service", err)
	}
	if h, _ := lib.History(ctx, "one-too-many"); len(h) != 0 {
		t.Errorf("the 17th was published: %v", h)
	}
}

func TestPublish_ANewServiceNameTheCheckRefusesIsNotPublished(t *testing.T) {
	lib, cat := newLibrary(t)
	ctx := context.Background()
	lib.CheckNewService = func(service string) error {
		if len(service) > 12 {
			return fmt.Errorf("service %q: too long for the survey text", service)
		}
		return nil
	}
	var de *survey.DefinitionError
	if _, err := lib.Publish(ctx, newService(t, cat, "video-counselling", "counselling"), "cli"); !errors.As(err, &de) || de.Field != "service" {
		t.Fatalf("a name the check refuses: %v, want the service marked", err)
	}
	if got, _ := lib.ServiceIndex(ctx); len(got) != 2 {
		t.Errorf("numbered all the same: %v", got)
	}
	if _, err := lib.Publish(ctx, newService(t, cat, "video", "counselling"), "cli"); err != nil {
		t.Fatal(err)
	}
}
