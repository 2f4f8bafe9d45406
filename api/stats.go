package api

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/dashpages"
	"github.com/feedback-service/feedback/api/web"
)

// apiStats is GET /api/v1/stats/{service}: the published aggregates as JSON,
// hidden months marked hidden and carrying no figures. A refused period or
// service is answered as the dashboard pages word it (their table of
// refusals), in a problem document.
func (s *Server) apiStats(c fiber.Ctx) error {
	r, err := dashpages.Period(c, s.dashboards)
	if err != nil {
		return err
	}
	st, err := s.dashboards.Service(c.Context(), web.Param(c, "service"), r)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// Problem is the RFC 9457 problem document every JSON error is.
type Problem = web.ProblemDocument
