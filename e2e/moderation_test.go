package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// releaseModerationComments submits November's comments (two the check is
// unsure of, one that spoke of risk and is unsure too, one that spoke of
// risk, the rest ordinary) and releases them, read on 3 December.
func releaseModerationComments(t *testing.T) *apitest.Server {
	t.Helper()
	read := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	srv := apitest.New(t, apitest.WithClock(apitest.NewClock().Now), apitest.WithDashboardsClock(func() time.Time { return read }))
	def, _ := srv.Surveys.Get("counselling")
	texts := []string{
		"Thank you, Zorblax helped me a lot when I rang on a bad night.",
		"I cannot see a reason to keep going. Quentworth was there for me.",
		"I cannot see a reason to keep going, and nobody at work knows.",
		"The Plenwick team were quick to answer.",
	}
	for len(texts) < 12 {
		texts = append(texts, "The counsellor listened and it helped.")
	}
	ctx := context.Background()
	for _, text := range texts {
		nonce, err := srv.Responses.Keys().IssueVerified(ctx, "counselling")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Responses.Submit(ctx, def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	srv.ReleaseAll(t)
	return srv
}

// A moderator's queue and a comment's word-by-word form, without JavaScript
// needed, accessible at phone and desktop widths; then the quality lead's
// lane of comments that spoke of risk, with the guidance, above the rest.
func TestModeration_QueueAndRiskLaneInABrowser(t *testing.T) {
	srv := releaseModerationComments(t)
	for _, v := range []viewport{desktop, phone} {
		tab := newTab(t)
		do(t, tab, "emulate "+v.name, v.emulate())
		signIn(t, tab, srv, accounts.RoleModerator)
		do(t, tab, "open the queue", chromedp.Navigate(srv.URL+"/moderation"))
		// The desktop tab looks only; the phone's removes words from the first.
		if n := eval[int](t, tab, `document.querySelectorAll('ol.queue > li').length`); n != 3 {
			t.Errorf("%s: %d comments in the queue, want 3", v.name, n)
		}
		if first := eval[bool](t, tab, `document.querySelector('ol.queue > li').classList.contains('risk')`); !first {
			t.Errorf("%s: the comment that spoke of risk is not first in the queue", v.name)
		}
		screenshot(t, tab, "moderation-queue", v)
		checkAccessible(t, tab, "moderation queue "+v.name)
		checkReflow(t, tab, "moderation queue "+v.name)

		submit(t, tab, chromedp.Click(chromedp.CSS(`a.button[href^="/moderation/comment"]`)), 200, "/moderation/comment")
		do(t, tab, "pick a word", chromedp.Click(chromedp.CSS(`label[for="word-8"]`)))
		screenshot(t, tab, "moderation-comment", v)
		checkAccessible(t, tab, "moderation comment "+v.name)
		checkReflow(t, tab, "moderation comment "+v.name)
		if v.phone {
			// Nothing picked: the error summary links to the first word.
			do(t, tab, "unpick the word", chromedp.Click(chromedp.CSS(`label[for="word-8"]`)))
			submit(t, tab, chromedp.Click(chromedp.CSS(`button[value=preview]`)), 422, "/moderation/comment")
			if !eval[bool](t, tab, `!!document.querySelector('.error-summary a[href="#word-0"]')`) {
				t.Error("no error summary linking to the first word")
			}
			checkAccessible(t, tab, "moderation comment with an error")
			do(t, tab, "pick the name", chromedp.Click(chromedp.CSS(`label[for="word-8"]`)))
			submit(t, tab, chromedp.Click(chromedp.CSS(`button[value=preview]`)), 200, "/moderation/comment")
			screenshot(t, tab, "moderation-preview", v)
			checkAccessible(t, tab, "moderation preview")
			submit(t, tab, chromedp.Click(chromedp.CSS(`button[value=redact]`)), 200, "/moderation?done=redacted")
			if !eval[bool](t, tab, `document.body.innerText.includes('Words removed')`) {
				t.Error("no notice after removing the words")
			}
		}
	}

	tab := newTab(t)
	do(t, tab, "emulate a desktop", desktop.emulate())
	signIn(t, tab, srv, accounts.RoleQuality)
	do(t, tab, "open the dashboard", chromedp.Navigate(srv.URL+"/dashboards/counselling?from=2026-11&to=2026-11#comments"))
	got := eval[struct {
		Lane, Guidance, Redacted bool
		Awaiting                 string
	}](t, tab, `({
		lane: !!document.querySelector('#risk.risk-lane li'),
		guidance: document.querySelector('#risk .guidance').innerText.includes('safeguarding lead'),
		redacted: document.body.innerText.includes('[removed]'),
		awaiting: (document.querySelector('.awaiting') || {innerText: ''}).innerText,
	})`)
	if !got.Lane || !got.Guidance || !got.Redacted || got.Awaiting == "" {
		t.Errorf("dashboard: %+v", got)
	}
	checkAccessible(t, tab, "dashboard with the risk lane")
	screenshot(t, tab, "workbench-risk-lane-full", desktop)
	// For a reviewer: the heading, the count and the comments alone.
	eval[bool](t, tab, `(() => { for (const e of document.querySelectorAll('main > *:not(h1):not(.risk-count):not(#comments)')) e.style.display = 'none'; return true; })()`)
	screenshot(t, tab, "workbench-risk-lane", desktop)
}
