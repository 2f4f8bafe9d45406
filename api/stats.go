package api

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/dashpages"
	"github.com/feedback-service/feedback/api/web"
)

// apiStats is GET /api/v1/stats/{service}: the published aggregates as JSON,
// hidden months marked hidden and carrying no figures.
func (s *Server) apiStats(c fiber.Ctx) error {
	r, err := dashpages.Period(c, s.dashboards)
	if err != nil {
		return s.statsProblem(c, err)
	}
	st, err := s.dashboards.Service(c.Context(), web.Param(c, "service"), r)
	if err != nil {
		return s.statsProblem(c, err)
	}
	return c.JSON(st)
}

// statsProblem answers a stats request the dashboards refused with a problem
// document worded as the dashboard pages word it, or passes err on.
func (s *Server) statsProblem(c fiber.Ctx, err error) error {
	status, _, message, ok := dashpages.Refusal(err)
	if !ok {
		return err
	}
	return web.Problem(c, status, message, nil)
}

// Problem is the RFC 9457 problem document every JSON error is.
type Problem = web.ProblemDocument
