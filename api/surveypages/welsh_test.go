package surveypages_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
)

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %q", what, want)
		}
	}
}

func TestWelsh_AcceptLanguageChoosesOnAFirstVisitAndTheURLAfter(t *testing.T) {
	srv := apitest.New(t)
	b := srv.Browser()
	resp, body := b.Do(t, "GET", "/s/counselling", "", nil, http.Header{"Accept-Language": {"cy-GB,cy;q=0.9,en;q=0.5"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Vary"), "Accept-Language") {
		t.Fatalf("status %d, Vary %q", resp.StatusCode, resp.Header.Get("Vary"))
	}
	body = strings.ReplaceAll(body, "&#39;", "'")
	contains(t, "the Welsh form", body, `<html lang="cy">`, "Yn gyffredinol, sut oedd eich profiad o'n gwasanaeth?",
		`<label for="fft-very_good">Da iawn</label>`, `<label for="listened-yes">Oeddwn</label>`,
		`<a href="/s/counselling?lang=en" hreflang="en-GB" lang="en-GB">English</a>`,
		`action="/s/counselling?lang=cy"`, "Angen help nawr?", `href="tel:116123"`, "Anfon fy atebion")
	// The link chosen wins over the browser's preference.
	_, body = b.Do(t, "GET", "/s/counselling?lang=en", "", nil, http.Header{"Accept-Language": {"cy"}})
	contains(t, "the English form asked for by URL", body, `<html lang="en-GB">`, "Overall, how was your experience",
		`<a href="/s/counselling?lang=cy" hreflang="cy" lang="cy">Cymraeg</a>`)
	_, body = b.Do(t, "GET", "/s/counselling", "", nil, http.Header{"Accept-Language": {"en-GB,en;q=0.9,cy;q=0.8"}})
	contains(t, "the form for an English browser", body, `<html lang="en-GB">`)
}

func TestWelsh_TheWholeJourneyInWelshSetsNoCookie(t *testing.T) {
	srv := apitest.New(t)
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	form.Del("fft")
	resp, body := srv.PostForm(t, "/s/counselling?lang=cy", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	contains(t, "the Welsh form sent back", body, `<html lang="cy">`, "<title>Gwall: ", "Mae problem wedi codi",
		`<a href="#fft-very_good">Dewiswch ateb i “Yn gyffredinol, sut oedd eich profiad o&#39;n gwasanaeth?”</a>`,
		`action="/s/counselling?lang=cy"`)
	form.Set("fft", "good")
	resp, _ = srv.PostForm(t, "/s/counselling?lang=cy", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/s/counselling/thanks?lang=cy&m=") {
		t.Fatalf("send: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	paths := []string{"/s/counselling?lang=cy", "/s/counselling/thanks?lang=cy", "/s/counselling/privacy?lang=cy", "/s/nowhere?lang=cy", "/i/broken?lang=cy"}
	wants := []string{"Adborth ar ein gwasanaeth cwnsela", "Beth sy'n digwydd nesaf", "Beth nad ydym byth yn ei gadw", "Heb ddod o hyd i'r dudalen", "Nid yw'r ddolen arolwg hon yn gyflawn"}
	for i, path := range paths {
		resp, body := srv.Get(t, path)
		if c := resp.Header.Values("Set-Cookie"); c != nil {
			t.Errorf("%s: Set-Cookie %v", path, c)
		}
		contains(t, path, strings.ReplaceAll(body, "&#39;", "'"), `<html lang="cy">`, wants[i], `hreflang="en-GB"`)
	}
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d responses", n)
	}
}

func TestWelsh_AnInvitationKeepsItsLanguageAndItsCode(t *testing.T) {
	srv := apitest.New(t)
	code, err := srv.Invitations.Mint("peer-support")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := srv.Get(t, "/i/"+code+"?lang=cy")
	if resp.StatusCode != http.StatusOK || resp.Header.Values("Set-Cookie") != nil {
		t.Fatalf("invited form: %d", resp.StatusCode)
	}
	contains(t, "the Welsh invited form", body, `<html lang="cy">`, `action="/s/peer-support?lang=cy"`,
		`name="invitation" value="`+code+`"`, `<a href="/i/`+code+`?lang=en" hreflang="en-GB"`)
}

func TestSurveyForm_CountsCharactersAndKeepsTextOverTheLimit(t *testing.T) {
	srv := apitest.New(t)
	_, blank := srv.Get(t, "/s/counselling")
	contains(t, "the blank form", blank, "You can enter up to 1,000 characters.", `aria-describedby="fft_why-hint fft_why-info fft_why-names"`, "Leave out places, your specialty")
	if strings.Contains(blank, "maxlength") {
		t.Error("a maxlength would cut pasted text silently")
	}
	form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
	long := strings.Repeat("é", 1003)
	form.Set("fft_why", long)
	resp, body := srv.PostForm(t, "/s/counselling", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	contains(t, "the form over the limit", body, ">"+long+"</textarea>", "You have 3 characters too many.",
		"Your answer must be 1,000 characters or fewer. You have 3 characters too many")
	form.Set("fft_why", "Fine.\r\nThanks")
	form.Del("fft")
	_, body = srv.PostForm(t, "/s/counselling?lang=cy", form)
	contains(t, "the Welsh form under the limit", body, "Mae gennych 988 nod ar ôl.")
}

func TestThanks_SaysWhatHappensNextAndHowToReachTheOffice(t *testing.T) {
	office := func(o *apitest.Options) { o.API.OfficePhone, o.API.OfficeEmail = "020 7946 0000", "office@example.org" }
	srv := apitest.New(t, office)
	_, body := srv.Get(t, "/s/peer-support/thanks?lang=en")
	contains(t, "the thank-you page", body, "What happens next", "cannot reply to your answers",
		`href="tel:02079460000"`, `href="mailto:office@example.org"`, "116 123")
	_, body = apitest.New(t).Get(t, "/s/peer-support/thanks")
	contains(t, "the thank-you page with no office set", body, "Contact the service in the usual way")
}

func TestPrivacyPage_ListsWhatIsStoredAndWhatIsNot(t *testing.T) {
	srv := apitest.New(t)
	resp, body := srv.Get(t, "/s/counselling/privacy")
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	contains(t, "the privacy page", body, "The calendar month you sent your answers in", "Your internet (IP) address",
		"Cookies: the survey pages set none", "can never be opened again")
}

// Every problem survey finds in a form is told in Welsh on a Welsh form:
// none of survey's English messages (kept for the JSON API) leaks through.
func TestWelsh_EveryProblemIsToldInWelsh(t *testing.T) {
	srv := apitest.New(t)
	cases := []struct {
		name, field string
		values      []string
		want        string
	}{
		{"two answers to one question", "fft", []string{"good", "poor"}, "Rhowch un ateb yn unig"},
		{"an option not offered", "ease", []string{"brilliant"}, "Dewiswch o&#39;r opsiynau a ddangosir"},
		{"a number off the scale", "recommend", []string{"12"}, "Dewiswch rif o 0 i 10"},
		{"a character that cannot be read", "fft_why", []string{"ok\x01"}, "Mae eich ateb yn cynnwys nodau na allwn eu darllen"},
		{"too many words", "fft_why", []string{strings.Repeat("a", 1001)}, "Rhaid i&#39;ch ateb fod yn 1,000 nod neu lai. Mae gennych 1 nod yn ormod"},
		{"a filled honeypot", "website", []string{"http://spam.example"}, "Gadewch y maes hwn yn wag: mae yno i atal"},
		{"a field not asked", "colour", []string{"blue"}, "Roedd gan y ffurflen faes nad yw&#39;n gofyn amdano"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := apitest.ValidForm(srv.FormNonce(t, "counselling"))
			form[tc.field] = tc.values
			resp, body := srv.PostForm(t, "/s/counselling?lang=cy", form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", resp.StatusCode)
			}
			contains(t, "the Welsh form sent back", body, tc.want, "Mae problem wedi codi")
			for _, english := range []string{"Give one answer", "Choose", "characters", "Leave this field", "The form had"} {
				if strings.Contains(body, english) {
					t.Errorf("English %q on the Welsh form", english)
				}
			}
		})
	}
}

// With no support line set (a local run), every survey page names the real,
// free national lines and invents no number.
func TestSurveyForm_WithoutASupportLineNamesTheNationalLines(t *testing.T) {
	srv := apitest.New(t, func(o *apitest.Options) { o.API.SupportPhone = "" })
	for _, path := range []string{"/s/counselling", "/s/counselling?lang=cy", "/s/counselling/thanks", "/no-such-page"} {
		_, body := srv.Get(t, path)
		contains(t, path, body, "999", `href="tel:116123"`, "111")
		if strings.Contains(body, "support line:") || strings.Contains(body, "llinell gymorth 24/7:") {
			t.Errorf("%s: a support line with no number", path)
		}
	}
}

func TestAPI_GivesTheSurveyInWelshToo(t *testing.T) {
	srv := apitest.New(t)
	resp, body := srv.Get(t, "/api/v1/surveys/peer-support")
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	contains(t, "the API's survey", body, `"cy":{"title":"Adborth ar ein gwasanaeth cymorth gan gymheiriaid"`, `"very_good":"Da iawn"`)
}

// Issue 33.6: an accessibility statement in the GOV.UK model form, in both
// languages, linked from every survey page.
func TestAccessibility_AStatementInBothLanguagesLinkedFromEverySurveyPage(t *testing.T) {
	srv := apitest.New(t)
	resp, body := srv.Get(t, "/accessibility")
	contains(t, "the statement", body, "WCAG", "2.2 AA", "Equality and Human Rights Commission", "How we tested these pages",
		"Content that is not accessible", "prepared on")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /accessibility: %d", resp.StatusCode)
	}
	_, cy := srv.Get(t, "/accessibility?lang=cy")
	contains(t, "the Welsh statement", cy, `<html lang="cy">`, "Datganiad hygyrchedd", "Y drefn orfodi")
	for _, path := range []string{"/s/counselling", "/s/counselling/privacy", "/s/peer-support/thanks?lang=en"} {
		_, page := srv.Get(t, path)
		contains(t, path, page, `href="/accessibility?lang=en"`)
	}
}
