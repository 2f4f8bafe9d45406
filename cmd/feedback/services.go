package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/survey"
)

// services carries the survey catalogue's list of services to intake and to
// the invitation codes: the one place a service is added is the survey
// library, and intake learns each service's name, title and kind, nothing
// more of the survey side.
type services struct {
	lib    *survey.Library
	cat    *survey.Catalogue
	in     *intakeSide
	codes  *invitations // nil when invitations are off
	logger *slog.Logger
}

// apply numbers the services, gives the invitation codes their numbers, and
// gives intake the list. A service whose survey text would not fit one SMS is
// left out of intake with an error logged, never a refusal to start: intake is
// a crisis line, and the other services must go on being routed.
func (s *services) apply(ctx context.Context) error {
	index, err := s.lib.NumberServices(ctx)
	if err != nil {
		return err
	}
	if s.codes != nil {
		if err := s.codes.codes.SetServices(index); err != nil {
			return err
		}
	}
	var offered []intake.Service
	for _, v := range intakeServices(s.cat, index, s.logger) {
		if err := s.in.outbox.CheckService(string(v.Type)); err != nil {
			s.logger.Error("survey service not offered to intake: publish it under a shorter name, or shorten FEEDBACK_BASE_URL", "service", v.Type, "err", err)
			continue
		}
		offered = append(offered, v)
	}
	if err := s.in.outbox.UseServices(offered); err != nil {
		return fmt.Errorf("survey services: %w", err)
	}
	return nil
}

// intakeServices is intake's list: every service of the catalogue, by its
// invitation number (the built-ins first), with the name staff pages give it
// ("Video counselling": the survey's own title speaks to the person answering)
// and its kind.
func intakeServices(cat *survey.Catalogue, index []string, logger *slog.Logger) []intake.Service {
	var out []intake.Service
	for _, name := range index {
		d, ok := cat.Get(name)
		if !ok {
			continue
		}
		if d.Kind() == "" {
			logger.Warn("survey service not offered to intake: publish it again naming based_on", "service", name)
			continue
		}
		out = append(out, intake.Service{Type: intake.ServiceType(name), Title: dashboards.ServiceName(name), Kind: intake.ServiceType(d.Kind())})
	}
	return out
}
