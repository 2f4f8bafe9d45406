package surveypages_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/apitest"
)

// An invited form carries, empty, the place where its script says that the
// invitation was used and the answers will count as open (the page cannot
// know: opening a link must not tell whether it was used), in the page's
// language; an expired link says so before it offers the open survey, and
// that the answers will count as open.
func TestInvitation_UsedOrExpiredSaysTheAnswersWillCountAsOpen(t *testing.T) {
	clock := apitest.NewClock()
	srv := apitest.New(t, apitest.WithClock(clock.Now))
	late := mustMint(t, srv, "counselling")
	code := mustMint(t, srv, "counselling")
	for lang, want := range map[string]string{
		"en": "This invitation has already been used. You can still send your answers: they will count as an open answer, not linked to an invitation",
		"cy": "Mae&#39;r gwahoddiad hwn wedi cael ei ddefnyddio&#39;n barod. Gallwch ddal i anfon eich atebion: byddant yn cyfrif fel ateb agored",
	} {
		resp, body := srv.Get(t, "/i/"+code+"?lang="+lang)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<div id="invite-spent" role="status" data-said="`+want) ||
			strings.Index(body, `id="invite-spent"`) > strings.Index(body, `class="question`) {
			t.Fatalf("invited form (%s): %d\n%s", lang, resp.StatusCode, body)
		}
	}
	// Sent back with an error, the form keeps the script and the notice's place.
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Set("invitation", code)
	form.Del("fft")
	if resp, body := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `<div id="invite-spent" role="status" data-said="This invitation has already been used.`) {
		t.Fatalf("invited form sent back: %d\n%s", resp.StatusCode, body)
	}
	clock.Advance(15 * 24 * time.Hour)
	for lang, want := range map[string]string{
		"en": "Your answers will count as an open answer, not linked to an invitation",
		"cy": "Bydd eich atebion yn cyfrif fel ateb agored, heb gysylltiad â gwahoddiad",
	} {
		resp, body := srv.Get(t, "/i/"+late+"?lang="+lang)
		expired := strings.Index(body, map[string]string{"en": "has expired", "cy": "wedi dod i ben"}[lang])
		if resp.StatusCode != http.StatusGone || expired < 0 || strings.Index(body, want) < expired ||
			strings.Index(body, `href="/s/counselling?lang=`+lang+`"`) < strings.Index(body, want) {
			t.Fatalf("expired link (%s): %d\n%s", lang, resp.StatusCode, body)
		}
	}
}

// The honeypot still catches a bot that fills every field, but its words are
// not in the page for a person to read (they appear, as its error, only to
// someone who filled it in).
func TestSurveyForm_TheHoneypotHasNoWordsInThePage(t *testing.T) {
	srv := apitest.New(t)
	for _, lang := range []string{"en", "cy"} {
		_, body := srv.Get(t, "/s/counselling?lang="+lang)
		if !strings.Contains(body, `<div class="hp" aria-hidden="true">`) || !strings.Contains(body, `name="website"`) ||
			strings.Contains(body, "Leave this field") || strings.Contains(body, "Gadewch y maes") || strings.Contains(body, `<label for="website">`) {
			t.Fatalf("the honeypot (%s):\n%s", lang, body)
		}
	}
	bot := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	bot.Set("website", "http://spam.example")
	if resp, body := srv.PostForm(t, "/s/counselling", bot); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `<label for="website">Leave this field empty</label>`) {
		t.Fatalf("a filled honeypot: %d\n%s", resp.StatusCode, body)
	}
}
