package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// A quality lead (who can also answer the survey) polls every published view
// while responses arrive: nothing changes, in bytes, until the month is
// released, and then the change is a whole month of at least K responses.
func TestLivePolling_NothingChangesUntilAMonthIsReleased(t *testing.T) {
	clock := apitest.NewClock()
	// Mid-month, so twelve answers seven minutes apart stay in one month.
	clock.Set(apitest.OnCalendar(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)))
	nov, oct, jun := apitest.Month(2026, 11), apitest.Month(2026, 10), apitest.Month(2026, 6)
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	quality, _ := srv.Staff(t, accounts.RoleQuality)
	routes := []string{
		"/api/v1/stats/counselling",
		"/api/v1/stats/counselling?from=" + nov + "&to=" + nov,
		"/api/v1/stats/counselling?from=" + nov + "&to=" + nov + "&source=open",
		"/api/v1/stats/counselling?from=" + oct + "&to=" + nov,
		"/dashboards/counselling/charts/fft.png?from=" + oct + "&to=" + nov,
		"/dashboards/counselling/charts/responses.csv?from=" + jun + "&to=" + nov,
		"/dashboards/counselling?from=" + nov + "&to=" + nov,
		"/dashboards/fft-return.csv?from=" + nov + "&to=" + nov,
	}
	poll := func() map[string]string { return apitest.Views(t, quality, routes) }
	before := poll()
	for i := range 12 {
		form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
		form.Set("fft_why", "poll canary")
		if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer %d: %d", i, resp.StatusCode)
		}
		clock.Advance(7 * time.Minute)
		for r, body := range poll() {
			if body != before[r] {
				t.Fatalf("%s changed after answer %d, before any release", r, i)
			}
		}
	}
	// Serve's release, once November is over and due: K of 10, as in production.
	// The 3rd of the next month, not "nine days on": from the 24th of a 31-day
	// month nine days is the 2nd, before the 36-hour grace has passed.
	clock.Set(apitest.OnCalendar(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)))
	cat, _ := survey.LoadEmbedded()
	rel := apitest.ProductionReleaser(t, srv, cat, clock.Now)
	if _, err := rel.ReleaseDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Dashboards.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	// They came through the open link: open figures, under their own K.
	_, body := quality.Get(t, "/api/v1/stats/counselling?from="+nov+"&to="+nov+"&source=open")
	if !strings.Contains(body, `"responses":12`) {
		t.Fatalf("November after its release: %s", body)
	}
}
