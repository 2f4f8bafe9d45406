package surveypages_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/survey"
)

// monthBack is the month n months before the tests' clock's.
func monthBack(n int) string {
	now := clocktest.Wall().UTC()
	return survey.Month(time.Date(now.Year(), now.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC))
}

// Issue 33.7: the thank-you page shows the latest three months of "You said,
// we did", in the page's language where it was written, else in English
// marked lang="en"; the page is still exactly one length for everyone,
// whether or not it opens with the crisis message.
func TestYouSaid_TheThankYouPageShowsTheLatestThreeAndStaysOneLength(t *testing.T) {
	srv := apitest.New(t)
	ctx := context.Background()
	for n, e := range []survey.YouSaid{
		{English: "Evening <b>appointments</b> added.", Welsh: "Apwyntiadau gyda'r nos wedi'u hychwanegu."},
		{English: "Call-backs within a day."},
		{English: "A quieter waiting line.", Welsh: "Llinell aros dawelach."},
		{English: "The oldest change."},
	} {
		e.Month = monthBack(n)
		if err := srv.Library.SaveYouSaid(ctx, "counselling", e, "lead@example.org"); err != nil {
			t.Fatal(err)
		}
	}
	send := func(lang, comment string) string {
		t.Helper()
		form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
		form.Set("fft_why", comment)
		resp, _ := srv.PostForm(t, "/s/counselling?lang="+lang, form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send: %d", resp.StatusCode)
		}
		_, body := srv.Get(t, resp.Header.Get("Location"))
		return body
	}
	ordinary := send("en", "Kind and quick, thank you.")
	risk := send("en", "Honestly I can't see a reason to keep going any more.")
	if !strings.Contains(risk, "Please talk to someone now") || strings.Contains(ordinary, "Please talk to someone now") {
		t.Fatal("the crisis message is not where it belongs")
	}
	if len(risk) != len(ordinary) {
		t.Fatalf("thank-you pages of %d and %d bytes: the length tells who was shown the crisis message", len(risk), len(ordinary))
	}
	for _, page := range []string{ordinary, risk} {
		contains(t, "the thank-you page", page, "You said, we did", "Evening &lt;b&gt;appointments&lt;/b&gt; added.",
			"Call-backs within a day.", "A quieter waiting line.", `href="/s/counselling/you-said-we-did?lang=en"`)
		if strings.Contains(page, "The oldest change.") || strings.Contains(page, "<b>appointments") {
			t.Fatal("the thank-you page shows a fourth entry, or unescaped text")
		}
	}
	cy := send("cy", "Da iawn.")
	contains(t, "the Welsh thank-you page", cy, "Dywedoch chi, gwnaethom ni", "Llinell aros dawelach.",
		`<div lang="en-GB"><p>Call-backs within a day.</p></div>`)
	if strings.Contains(cy, "A quieter waiting line.") || strings.Contains(cy, `<div lang="en-GB"><p>Llinell`) {
		t.Fatal("the Welsh page shows English where Welsh was written, or marks Welsh as English")
	}
}

// The public page lists every entry kept, latest first, in both languages,
// and every page of a survey links to it from its footer.
func TestYouSaid_APublicPagePerServiceLinkedFromTheSurvey(t *testing.T) {
	srv := apitest.New(t)
	resp, body := srv.Get(t, "/s/peer-support/you-said-we-did")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("an empty page: %d", resp.StatusCode)
	}
	contains(t, "the page with nothing written", body, "You said, we did", "Nothing has been written here yet")
	_, thanks := srv.Get(t, "/s/peer-support/thanks?lang=en")
	if strings.Contains(thanks, "Some changes made because") {
		t.Fatal("the thank-you page has an empty \"You said, we did\"")
	}

	ctx := context.Background()
	for n := 4; n >= 0; n-- {
		e := survey.YouSaid{Month: monthBack(n), English: "Change number " + string(rune('A'+n))}
		if err := srv.Library.SaveYouSaid(ctx, "peer-support", e, "lead@example.org"); err != nil {
			t.Fatal(err)
		}
	}
	_, body = srv.Get(t, "/s/peer-support/you-said-we-did?lang=en")
	if !strings.Contains(body, "Change number E") || strings.Index(body, "Change number A") > strings.Index(body, "Change number E") {
		t.Fatal("the public page does not list every entry, latest first")
	}
	month, _ := time.Parse(survey.MonthLayout, monthBack(0))
	contains(t, "the public page", body, "<h3>"+month.Format("January 2006")+"</h3>")
	_, cy := srv.Get(t, "/s/peer-support/you-said-we-did?lang=cy")
	contains(t, "the Welsh public page", cy, `<html lang="cy">`, "Dywedoch chi, gwnaethom ni", `<div lang="en-GB"><p>Change number A</p></div>`)
	for _, path := range []string{"/s/peer-support", "/s/peer-support/privacy", "/s/peer-support/thanks?lang=en"} {
		_, page := srv.Get(t, path)
		contains(t, path, page, `href="/s/peer-support/you-said-we-did?lang=en"`, `href="/s/peer-support/privacy?lang=en"`)
	}
}
