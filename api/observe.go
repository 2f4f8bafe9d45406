package api

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v3"
)

// RequestObserver counts answered requests (metrics). route is always a
// registered pattern or one of the fixed words below, never the request path.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

// Route labels for requests no pattern describes.
const (
	// RouteUnmatched: no route matched; the 404 fallback answered.
	RouteUnmatched = "unmatched"
	// RouteUnrouted: app-wide middleware (rate limit, body size) answered before
	// routing, so the pattern is unknown.
	RouteUnrouted = "unrouted"
)

const unmatchedLocal = "feedback.unmatched"

// observe answers errors through web.Site.HandleError, so the status is known here, then
// counts every request and logs one line for staff and API requests: route
// pattern, method, status and duration, nothing else. Survey traffic is never
// logged per request (see quietPath).
func (s *Server) observe(c fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.site.HandleError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	d := time.Since(start)
	route, method, status := s.routeLabel(c), methodLabel(c.Method()), c.Response().StatusCode()
	if s.requests != nil {
		s.requests.ObserveRequest(route, method, status, d)
	}
	if route != RouteUnmatched && route != RouteUnrouted && !quietPath(route) && !quietPath(c.Path()) {
		s.log.Info("request", "route", route, "method", method, "status", status,
			"duration_ms", float64(d.Microseconds())/1000)
	}
	return nil
}

// routeLabel is the pattern of the route that answered: the handler's, or a
// group's when the group's middleware answered (a sign-in redirect), or a
// fixed word. Only registered patterns pass, so a label never holds a path.
func (s *Server) routeLabel(c fiber.Ctx) string {
	if c.Locals(unmatchedLocal) != nil {
		return RouteUnmatched
	}
	s.patternsOnce.Do(func() {
		s.patterns = map[string]bool{}
		for _, r := range s.App.GetRoutes() {
			s.patterns[r.Path] = true
		}
	})
	r := c.Route()
	if r == nil || !s.patterns[r.Path] || (!c.Matched() && r.Path == "/") {
		return RouteUnrouted
	}
	return r.Path
}

// methodLabel keeps methods to a fixed set.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// quietPath reports whether requests to p are kept out of the log: survey
// pages and the survey API (a timestamped line beside an intake record of a
// text sent minutes before could point at a person), the static files and
// home page survey pages load, and health checks (noise). They are counted in
// metrics instead. p is a path or a route pattern.
func quietPath(p string) bool {
	p = strings.TrimRight(strings.ToLower(p), "/")
	switch p {
	case "", "/healthz", "/readyz", "/s", "/i", "/static", "/api/v1/surveys":
		return true
	}
	return strings.HasPrefix(p, "/s/") || strings.HasPrefix(p, "/i/") || strings.HasPrefix(p, "/static/") ||
		strings.HasPrefix(p, "/api/v1/surveys/")
}

// patternSet is filled once, after routes() has registered every route.
type patternSet struct {
	patternsOnce sync.Once
	patterns     map[string]bool
}
