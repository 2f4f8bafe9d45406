package surveypages_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// These tests answer in the month the clock starts in (November 2026 as they
// were written, apitest.Month) and read the dashboards on the 3rd of the next
// month, when it has ended and its release is due.
var (
	november  = apitest.Month(2026, 11)
	september = apitest.Month(2026, 9)
	december3 = apitest.OnCalendar(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
)

// verifiedServer answers surveys in the clock's month and publishes on the 3rd
// of the next, releasing with the production K of 10.
func verifiedServer(t *testing.T) (*apitest.Server, func()) {
	t.Helper()
	read := func() time.Time { return december3 }
	srv := apitest.New(t, apitest.WithClock(apitest.NewClock().Now), apitest.WithDashboardsClock(read))
	release := func() {
		t.Helper()
		cat, _ := survey.LoadEmbedded()
		if _, err := apitest.ProductionReleaser(t, srv, cat, read).ReleaseDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := srv.Dashboards.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return srv, release
}

func answerVerified(t *testing.T, srv *apitest.Server, n int, a survey.Answers) {
	t.Helper()
	def, _ := srv.Surveys.Get("counselling")
	for range n {
		nonce, err := srv.Responses.Keys().IssueVerified(context.Background(), "counselling")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Responses.Submit(context.Background(), def, nonce, a); err != nil {
			t.Fatal(err)
		}
	}
}

// answerOpen sends n answers through the open link, as one client would.
func answerOpen(t *testing.T, srv *apitest.Server, n int) {
	t.Helper()
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
				form.Set("fft", "very_poor")
				if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
					t.Errorf("open answer: %d", resp.StatusCode)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

var verifiedViews = []string{
	"/api/v1/stats/counselling?from=" + september + "&to=" + november,
	novemberStats,
	"/dashboards/counselling/export.csv?from=" + september + "&to=" + november,
	"/dashboards/fft-return.csv?from=" + november + "&to=" + november,
	"/dashboards/counselling/charts/fft.svg?from=" + september + "&to=" + november,
}

// novemberStats is the verified figures of the month answered in.
var novemberStats = "/api/v1/stats/counselling?from=" + november + "&to=" + november

// The n−1 attack: a quality lead pads a month of 6 verified answers with
// answers of their own through the open link until it would publish, to
// subtract theirs. The verified month stays hidden however many they add, and
// every verified view is byte for byte what it is without them.
func TestVerified_PaddingAHiddenMonthWithOpenAnswersRevealsNothing(t *testing.T) {
	genuine := survey.Answers{"fft": {Choice: "poor"}, "fft_why": {Text: "genuine comment"}}
	without, releaseWithout := verifiedServer(t)
	answerVerified(t, without, 6, genuine)
	releaseWithout()
	leadA, _ := without.Staff(t, accounts.RoleQuality)
	want := apitest.Views(t, leadA, verifiedViews)

	padded, releasePadded := verifiedServer(t)
	answerVerified(t, padded, 6, genuine)
	answerOpen(t, padded, 40)
	releasePadded()
	leadB, _ := padded.Staff(t, accounts.RoleQuality)
	got := apitest.Views(t, leadB, verifiedViews)
	for v := range want {
		if got[v] != want[v] {
			t.Errorf("%s differs once open answers were added:\nwithout: %.300s\nwith:    %.300s", v, want[v], got[v])
		}
	}
	if !strings.Contains(want[novemberStats], `"hidden_months":["`+november+`"]`) {
		t.Errorf("six verified answers were published: %s", want[novemberStats])
	}
	// The open answers are published apart, under their own K.
	_, open := leadB.Get(t, novemberStats+"&source=open")
	if !strings.Contains(open, `"responses":40`) || strings.Contains(open, "genuine comment") {
		t.Errorf("open figures: %s", open)
	}
}

// Stuffing: a thousand answers from one client through the open link move no
// verified figure.
func TestVerified_AThousandOpenAnswersMoveNoVerifiedFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("a thousand answers")
	}
	srv, release := verifiedServer(t)
	answerVerified(t, srv, 25, survey.Answers{"fft": {Choice: "very_good"}, "recommend": {Number: 9}})
	release()
	lead, _ := srv.Staff(t, accounts.RoleQuality)
	before := apitest.Views(t, lead, verifiedViews)
	answerOpen(t, srv, 1000)
	// The open answers land in November's box too: released with it (a second
	// box for a released month, as when the service restarts a release).
	release()
	for v, body := range apitest.Views(t, lead, verifiedViews) {
		if body != before[v] {
			t.Errorf("%s changed after 1,000 open answers", v)
		}
	}
	if !strings.Contains(before[verifiedViews[1]], `"responses":25`) {
		t.Fatalf("the verified month is not published: %s", before[verifiedViews[1]])
	}
	if _, open := lead.Get(t, novemberStats+"&source=open"); !strings.Contains(open, `"responses":1000`) {
		t.Fatalf("the open answers were not counted apart: %.400s", open)
	}
}
