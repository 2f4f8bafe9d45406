package surveypages_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/api/web"
)

func TestWelsh_ARefusalBeforeTheHandlerIsInTheSurveysLanguage(t *testing.T) {
	srv := apitest.New(t, apitest.WithRateLimit(3))
	b := srv.Browser()
	tooLong := "fft=good&fft_why=" + strings.Repeat("a", web.FormBodyLimit)
	resp, body := b.Do(t, http.MethodPost, "/s/counselling?lang=cy", "application/x-www-form-urlencoded", []byte(tooLong), nil)
	body = strings.ReplaceAll(body, "&#39;", "'")
	if resp.StatusCode != http.StatusRequestEntityTooLarge || len(resp.Cookies()) != 0 {
		t.Fatalf("too long: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	contains(t, "the Welsh 413 page", body, `<html lang="cy">`, "<h1>Mae eich atebion yn rhy hir</h1>",
		"Byrhewch eich atebion", `href="/s/counselling?lang=en"`, `href="tel:116123"`)

	// Accept-Language chooses when the URL does not; the third request of
	// three is still answered, the fourth refused.
	welsh := http.Header{"Accept-Language": {"cy"}}
	for i := 0; i < 2; i++ {
		if resp, _ := b.Do(t, http.MethodGet, "/s/counselling", "", nil, welsh); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i+2, resp.StatusCode)
		}
	}
	resp, body = b.Do(t, http.MethodGet, "/s/counselling", "", nil, welsh)
	body = strings.ReplaceAll(body, "&#39;", "'")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || len(resp.Cookies()) != 0 {
		t.Fatalf("over the limit: %d, Retry-After %q, cookies %v", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Cookies())
	}
	contains(t, "the Welsh 429 page", body, `<html lang="cy">`, "<h1>Gormod o geisiadau</h1>", "Arhoswch funud")
	// In English by URL, and staff pages keep the shared English page.
	_, body = b.Do(t, http.MethodGet, "/i/abc?lang=en", "", nil, welsh)
	contains(t, "the English 429 page of an invitation link", body, `<html lang="en-GB">`, "<h1>Too many requests</h1>", "wait a minute")
	_, body = b.Do(t, http.MethodGet, "/login", "", nil, welsh)
	contains(t, "the staff 429 page", body, "<h1>Too many requests</h1>")
}
