package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/metrics"
)

// Whatever paths and methods clients send, every metric label takes its values
// from a fixed set: route patterns, fixed words, known methods, status codes,
// catalogue services. Nothing a client typed becomes a label.
func TestMetrics_EveryLabelTakesValuesFromABoundedSet(t *testing.T) {
	m := metrics.New()
	srv := apitest.New(t, apitest.WithMetrics(m))
	staff, _ := srv.Staff(t, accounts.RoleAdmin)
	rng := rand.New(rand.NewPCG(1, 2))
	token := func() string { return fmt.Sprintf("zq%x", rng.Uint64()) }
	prefixes := []string{"/", "/s/", "/s/counselling/", "/static/", "/api/v1/surveys/", "/api/v1/", "/admin/",
		"/admin/practitioners/", "/intake/people/", "/intake/contacts/", "/account/", "/api/staff/", "/%2e%2e/", "/S/"}
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "ZQMETHOD"}
	for i := 0; i < 300; i++ {
		path := prefixes[rng.IntN(len(prefixes))] + token()
		if rng.IntN(3) == 0 {
			path += "/" + url.PathEscape("é "+token()) + "?" + token() + "=" + token()
		}
		req, err := http.NewRequest(methods[rng.IntN(len(methods))], srv.URL+path, strings.NewReader("x="+token()))
		if err != nil {
			t.Fatal(err)
		}
		client := srv.Client
		if rng.IntN(2) == 0 {
			client = staff.HTTP
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	// A survey answered, a body too large, so responses and refusals are counted too.
	srv.PostForm(t, "/s/counselling", apitest.ValidForm(srv.FormNonce(t, "counselling")))
	srv.PostJSON(t, "/api/v1/surveys/counselling/responses", `{"answers":{"fft_why":"`+strings.Repeat("a", 20<<10)+`"}}`)

	routes := map[string]bool{api.RouteUnmatched: true, api.RouteUnrouted: true}
	for _, r := range srv.App.App.GetRoutes() {
		routes[r.Path] = true
	}
	services := map[string]bool{}
	for _, d := range srv.Surveys.All() {
		services[d.Service] = true
	}
	allowed := map[string]func(string) bool{
		"route":   func(v string) bool { return routes[v] },
		"method":  regexp.MustCompile(`^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|other)$`).MatchString,
		"class":   regexp.MustCompile(`^[1-5]xx$`).MatchString,
		"code":    regexp.MustCompile(`^[1-5][0-9][0-9]$`).MatchString,
		"service": func(v string) bool { return services[v] },
		"outcome": regexp.MustCompile(`^(sent|retrying|failed|suppressed)$`).MatchString,
		"le":      func(string) bool { return true },                           // histogram buckets, fixed in code
		"version": func(v string) bool { return strings.HasPrefix(v, "go1.") }, // go_info
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[string]bool{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				ok, known := allowed[l.GetName()]
				if !known || !ok(l.GetValue()) || strings.Contains(l.GetValue(), "zq") {
					t.Errorf("%s: label %s=%q is not from a fixed set", f.GetName(), l.GetName(), l.GetValue())
				}
				if seen[l.GetName()] == nil {
					seen[l.GetName()] = map[string]bool{}
				}
				seen[l.GetName()][l.GetValue()] = true
			}
		}
	}
	if len(seen["service"]) > 0 {
		t.Errorf("a metric is labelled by service: scraped often, it would time each survey response")
	}
	for _, name := range []string{"route", "method", "code"} {
		if len(seen[name]) == 0 {
			t.Errorf("no %s label seen: the test sent nothing that counts", name)
		}
	}
	if len(seen["route"]) > len(routes) || len(seen["method"]) > 8 {
		t.Errorf("label sets grew: %d routes, %d methods", len(seen["route"]), len(seen["method"]))
	}
	for _, want := range []string{api.RouteUnmatched, api.RouteUnrouted, "/s/:service"} {
		if !seen["route"][want] {
			t.Errorf("no requests counted under route %q; routes seen: %v", want, seen["route"])
		}
	}
}
