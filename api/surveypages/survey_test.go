package surveypages_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/store/storetest"
)

func TestSurveyForm_IsAnAccessibleFormWithNoCookiesAndNoScripts(t *testing.T) {
	srv := apitest.New(t)
	for _, service := range []string{"counselling", "peer-support"} {
		resp, body := srv.Get(t, "/s/"+service)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", service, resp.StatusCode)
		}
		if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("%s: Set-Cookie %v on a survey page", service, c)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q; a page with a nonce must not be stored", service, cc)
		}
		for _, want := range []string{
			`<html lang="en-GB">`, `name="viewport"`,
			"Overall, how was your experience of our service?",
			"Your answers are anonymous", `href="/s/` + service + `/privacy?lang=en"`,
			"Need help now?", `href="tel:999"`, "NHS 111", `href="tel:116123"`, "24/7", `href="tel:03301234567"`,
			`<a href="/s/` + service + `?lang=cy" hreflang="cy" lang="cy">Cymraeg</a>`,
			`<legend class="prompt">`, `<label class="prompt" for="fft_why">`,
			`<label for="fft-very_good">Very good</label>`, `type="radio"`, `type="checkbox"`,
			`name="nonce"`, `<button type="submit"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", service, want)
			}
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "http://") && !strings.Contains(body, srv.URL) {
			t.Errorf("%s: inline script, inline style or a third-party address in the page", service)
		}
		// Every input has a label, and every group of radios or checkboxes a fieldset with a legend.
		for _, m := range regexp.MustCompile(`<input type="(?:radio|checkbox)" id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if !strings.Contains(body, `<label for="`+m[1]+`"`) {
				t.Errorf("%s: input %s has no label", service, m[1])
			}
		}
		if f, l := strings.Count(body, "<fieldset"), strings.Count(body, "<legend"); f != l || f < 4 {
			t.Errorf("%s: %d fieldsets, %d legends", service, f, l)
		}
	}
}

func TestSurveyForm_FirstLoadIsUnder14KB(t *testing.T) {
	srv := apitest.New(t)
	for _, service := range []string{"counselling", "peer-support"} {
		_, html := srv.Get(t, "/s/"+service)
		total := len(html)
		for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(html, -1) {
			resp, body := srv.Get(t, m[1])
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", m[1], resp.StatusCode)
			}
			if !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s is not cached", m[1])
			}
			total += len(body)
		}
		t.Logf("%s: first load %d bytes (uncompressed)", service, total)
		if total > 14*1024 {
			t.Errorf("%s: first load is %d bytes, more than 14 KB", service, total)
		}
	}
}

func TestStaticAssets_CompressedWhenAskedAndPagesNever(t *testing.T) {
	srv := apitest.New(t)
	_, html := srv.Get(t, "/s/counselling")
	m := regexp.MustCompile(`href="(/static/app\.[0-9a-f]+\.css)"`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no stylesheet on the survey page")
	}
	get := func(path, encoding string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", encoding) // set by hand: the client then leaves the body as sent
		resp, err := srv.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	plainResp, plain := get(m[1], "identity")
	zipResp, zipped := get(m[1], "br, gzip;q=0.8")
	if plainResp.Header.Get("Content-Encoding") != "" || zipResp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q and %q", plainResp.Header.Get("Content-Encoding"), zipResp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) || len(zipped) >= len(plain)/2 {
		t.Fatalf("gzip %d bytes of %d, same content %v", len(zipped), len(plain), bytes.Equal(unzipped, plain))
	}
	if !strings.Contains(zipResp.Header.Get("Vary"), "Accept-Encoding") {
		t.Error("no Vary: Accept-Encoding")
	}
	// A page with a nonce beside echoed answers is never compressed (BREACH).
	if resp, _ := get("/s/counselling", "gzip"); resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("the survey page is sent %s", resp.Header.Get("Content-Encoding"))
	}
}

func TestSurveySubmit_StoresAndRedirectsToThanks(t *testing.T) {
	srv := apitest.New(t)
	resp, _ := srv.PostForm(t, "/s/counselling", apitest.ValidForm(srv.FormNonce(t, "counselling")))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/s/counselling/thanks?lang=en&m=") {
		t.Fatalf("status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("Set-Cookie %v on a survey submission", c)
	}
	resp, body := srv.Get(t, "/s/counselling/thanks?lang=en")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "your answers have been sent") || !strings.Contains(body, "What happens next") {
		t.Fatalf("thanks: %d", resp.StatusCode)
	}
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d responses stored", n)
	}
	if logs := srv.Logs.String(); logs != "" {
		t.Fatalf("a survey submission left log lines: %s", logs)
	}
}

func TestSurveySubmit_RetryAndReplayAreStoredOnce(t *testing.T) {
	srv := apitest.New(t)
	form := apitest.ValidForm(srv.FormNonce(t, "peer-support"))
	form.Del("ease")
	form.Del("listened")
	srv.PostForm(t, "/s/peer-support", form)
	resp, _ := srv.PostForm(t, "/s/peer-support", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "?lang=en&already=1&m=") {
		t.Fatalf("retry: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := srv.Get(t, resp.Header.Get("Location"))
	if !strings.Contains(body, "already had your answers") {
		t.Fatal("the retry's thank-you page does not say the answers were already received")
	}
	form.Set("fft", "very_poor")
	srv.PostForm(t, "/s/peer-support", form)
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
}

func TestSurveySubmit_ErrorsAreMarkedAndAnswersKept(t *testing.T) {
	srv := apitest.New(t)
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Del("fft")
	form.Set("recommend", "12")
	form.Set("fft_why", `<script>alert("x")</script> it was fine`)
	resp, body := srv.PostForm(t, "/s/counselling", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{
		"<title>Error: ", `class="error-summary"`, `<a href="#fft-very_good">Select an answer to “Overall, how was your experience of our service?”`,
		`<a href="#recommend-0">Choose a number from 0 to 10</a>`, `id="fft-error"`, `id="recommend-error"`,
		`aria-describedby="recommend-scale recommend-error"`,
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; it was fine</textarea>`, // kept, escaped
		`id="listened-yes" name="listened" value="yes" checked`,
		`id="helped-other" name="helped" value="other" checked`,
		`value="` + form.Get("nonce") + `"`, // the same form, so a fixed retry is still stored once
	} {
		if !strings.Contains(body, want) {
			t.Errorf("re-shown form lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("free text was rendered unescaped")
	}
	if n := srv.Count(t, "responses"); n != 0 {
		t.Fatalf("%d responses stored from an invalid form", n)
	}
}

func TestSurveySubmit_AnExpiredOrForgedFormKeepsTheAnswersAndAsksAgain(t *testing.T) {
	srv := apitest.New(t)
	for _, nonce := range []string{"20200101.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "", "x"} {
		form := apitest.ValidForm(nonce)
		resp, body := srv.PostForm(t, "/s/counselling", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "open for a long time") ||
			!strings.Contains(body, `value="very_good" checked`) {
			t.Fatalf("nonce %q: status %d", nonce, resp.StatusCode)
		}
		fresh := regexp.MustCompile(`name="nonce" value="([^"]+)"`).FindStringSubmatch(body)
		if fresh == nil || fresh[1] == nonce {
			t.Fatalf("nonce %q: no fresh nonce in the re-shown form", nonce)
		}
		form.Set("nonce", fresh[1])
		if resp, _ := srv.PostForm(t, "/s/counselling", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("resubmitting with the fresh nonce: %d", resp.StatusCode)
		}
	}
	if n := srv.Count(t, "responses"); n != 3 {
		t.Fatalf("%d stored, want 3", n)
	}
}

func TestSurveySubmit_AFilledHoneypotIsRefusedAndNothingStored(t *testing.T) {
	srv := apitest.New(t)
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Set("website", "https://cheap-pills.example")
	resp, body := srv.PostForm(t, "/s/counselling", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "hp-shown") {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := srv.Count(t, "responses"); n != 0 {
		t.Fatalf("%d stored", n)
	}
}

func TestSurveySubmit_HostileFormsAreRefusedWithNothingStored(t *testing.T) {
	srv := apitest.New(t)
	nonce := srv.FormNonce(t, "counselling")
	big := "fft=good&fft_why=" + strings.Repeat("a", 70<<10)
	cases := []struct {
		name, contentType, body string
		status                  int
	}{
		{"operator as field", "application/x-www-form-urlencoded", "nonce=" + nonce + "&fft=good&fft[$ne]=x", 422},
		{"duplicated FFT", "application/x-www-form-urlencoded", "nonce=" + nonce + "&fft=good&fft=poor", 422},
		{"two nonces", "application/x-www-form-urlencoded", "nonce=" + nonce + "&nonce=" + nonce + "&fft=good", 422},
		{"broken percent-encoding", "application/x-www-form-urlencoded", "nonce=%zz&fft=good", 400},
		{"NUL in text", "application/x-www-form-urlencoded", "nonce=" + nonce + "&fft=good&fft_why=a%00b", 422},
		{"invalid UTF-8", "application/x-www-form-urlencoded", "nonce=" + nonce + "&fft=good&fft_why=%ff%fe", 422},
		{"JSON to the form", "application/json", `{"fft":"good"}`, 415},
		{"no content type", "", "nonce=" + nonce + "&fft=good", 415},
		{"over the body limit", "application/x-www-form-urlencoded", big, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := srv.Do(t, http.MethodPost, "/s/counselling", tc.contentType, []byte(tc.body))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "<h1>") {
				t.Fatalf("not an HTML page: %s", resp.Header.Get("Content-Type"))
			}
		})
	}
	if n := srv.Count(t, "responses"); n != 0 {
		t.Fatalf("%d stored", n)
	}
}

func TestUnknownSurvey_Is404ListingTheRealSurveys(t *testing.T) {
	srv := apitest.New(t)
	for _, path := range []string{"/s/dentistry", "/s/..%2f..%2fetc%2fpasswd", "/s/COUNSELLING", "/nowhere", "/s/counselling/thanks/x"} {
		resp, body := srv.Get(t, path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d", path, resp.StatusCode)
			continue
		}
		if !strings.Contains(body, `href="/s/counselling`) || !strings.Contains(body, `href="/s/peer-support`) {
			t.Errorf("%s: 404 page does not list the surveys", path)
		}
	}
	resp, _ := srv.PostForm(t, "/s/dentistry", url.Values{"fft": {"good"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST to an unknown survey: %d", resp.StatusCode)
	}
}

func TestDatabaseOutage_PagesStillLoadAndSubmissionsAreRefusedNotLost(t *testing.T) {
	storetest.RequireEmbedded(t) // reads or stops the embedded store itself
	srv := apitest.New(t)
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	srv.Store.StopEmbedded()

	resp, body := srv.Get(t, "/s/counselling")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="nonce"`) {
		t.Fatalf("survey page during an outage: %d", resp.StatusCode)
	}
	resp, body = srv.PostForm(t, "/s/counselling", form)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "please try sending them again") ||
		!strings.Contains(body, `value="very_good" checked`) || !strings.Contains(body, `value="`+form.Get("nonce")+`"`) {
		t.Fatalf("submission during an outage: %d, want 503 with the answers and the same nonce kept", resp.StatusCode)
	}
	nonce := apiNonceOrEmpty(t, srv)
	resp, body = srv.PostJSON(t, "/api/v1/surveys/counselling/responses", `{"nonce":"`+nonce+`","answers":{"fft":"good"}}`)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "safe") {
		t.Fatalf("API submission during an outage: %d %s", resp.StatusCode, body)
	}
	if resp, _ := srv.Get(t, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz during an outage: %d", resp.StatusCode)
	}
	if resp, _ := srv.Get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz during an outage: %d", resp.StatusCode)
	}
}

func apiNonceOrEmpty(t *testing.T, srv *apitest.Server) string {
	t.Helper()
	_, body := srv.Get(t, "/api/v1/surveys/counselling")
	m := regexp.MustCompile(`"nonce":"([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no nonce during an outage: %s", body)
	}
	return m[1]
}
