package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// A screen is one page a person can see. Each is checked by axe-core and
// photographed at phone and desktop widths; a new page is one line here.
type screen struct {
	name   string                         // names its screenshots: <name>-<width>.png
	path   string                         // where the browser goes
	then   chromedp.Action[chromedp.Void] // if set, done on that page to reach the screen, e.g. sending a form
	status int                            // the HTTP status the screen arrives with
	// signIn, if set, is the role of a staff member who signs in first.
	signIn accounts.Role
}

var screens = []screen{
	{name: "survey-counselling", path: "/s/counselling", status: http.StatusOK},
	{name: "survey-peer-support", path: "/s/peer-support", status: http.StatusOK},
	{name: "survey-errors", path: "/s/counselling", then: chromedp.Click(chromedp.CSS(`button[type=submit]`)), status: http.StatusUnprocessableEntity},
	{name: "thanks", path: "/s/counselling/thanks", status: http.StatusOK},
	{name: "not-found", path: "/no-such-page", status: http.StatusNotFound},
	{name: "dashboards", path: "/dashboards", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "dashboard-counselling", path: "/dashboards/counselling", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "dashboard-peer-support", path: "/dashboards/peer-support", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "dashboard-bad-period", path: "/dashboards/counselling?from=2026-13", signIn: accounts.RoleQuality, status: http.StatusBadRequest},
}

func TestScreens_MeetWCAG22AA(t *testing.T) {
	srv := apitest.New(t)
	fillDashboards(t, srv)
	for _, s := range screens {
		for _, v := range []viewport{phone, desktop} {
			t.Run(s.name+"/"+v.name, func(t *testing.T) {
				ctx := newTab(t)
				do(t, ctx, "emulate "+v.name, v.emulate())
				if s.signIn != "" {
					signIn(t, ctx, srv, s.signIn)
				}
				resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+s.path))
				if err == nil && s.then != nil {
					resp, err = chromedp.RunResponse(ctx, s.then)
				}
				if err != nil {
					t.Fatalf("open %s: %v", s.name, err)
				}
				if resp.Status != int64(s.status) {
					t.Errorf("%s: status %d, want %d", s.name, resp.Status, s.status)
				}
				screenshot(t, ctx, s.name, v)
				checkAccessible(t, ctx, s.name+" at "+v.name+" width")
			})
		}
	}
}
