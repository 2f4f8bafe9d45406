package surveypages_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// privacy fetches a survey's privacy notice in lang, unescaped for reading.
func privacy(t *testing.T, srv *apitest.Server, lang string) string {
	t.Helper()
	resp, body := srv.Get(t, "/s/counselling/privacy?lang="+lang)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("privacy notice in %s: %d", lang, resp.StatusCode)
	}
	if strings.Contains(body, "%!") {
		t.Fatalf("privacy notice in %s: a sentence lacks its value:\n%s", lang, body)
	}
	return html.UnescapeString(body)
}

// Issue 33.6: the privacy notice is a UK GDPR notice: it names the controller
// and its data protection officer, the lawful basis admins chose, who sees
// the results (groups of at least K), how long they are kept, the rights and
// why they cannot be used on anonymous answers, and the route to the
// Information Commissioner; in English and in Welsh, keeping the explanation
// of anonymity.
func TestPrivacyNotice_NamesTheControllerBasisRightsAndTheCommissionerInBothLanguages(t *testing.T) {
	srv := apitest.New(t, apitest.WithDisclosureK(7))
	err := srv.Library.SetPrivacyNotice(context.Background(), survey.PrivacyNotice{
		Controller: "Practitioner Support <Trust>", Address: "1 Example Street\r\n\r\nCardiff  CF10 1AA",
		DPO: "dpo@example.org", Basis: survey.PublicTask, RetentionYears: 6}, "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	_, raw := srv.Get(t, "/s/counselling/privacy?lang=en")
	if strings.Contains(raw, "<Trust>") || !strings.Contains(raw, "&lt;Trust&gt;") {
		t.Fatal("the controller's name is not escaped")
	}
	en := privacy(t, srv, "en")
	contains(t, "the English notice", en, "<h1>Privacy notice</h1>",
		"Practitioner Support <Trust> is the controller", "1 Example Street<br>Cardiff CF10 1AA", "dpo@example.org",
		"Article 6(1)(e)", "special category data", "at least 7 answers", "for 6 years, then delete them",
		"Your rights", "(access)", "(rectification)", "(erasure)", "object to its use", "cannot find them again",
		"Information Commissioner's Office", `href="https://ico.org.uk/make-a-complaint/"`, "This notice was last changed in ", `href="tel:03031231113"`, "0303 123 1113",
		// Today's explanation of anonymity stays.
		"The calendar month you sent your answers in", "Your internet (IP) address", "Cookies: the survey pages set none", "can never be opened again")
	cy := privacy(t, srv, "cy")
	contains(t, "the Welsh notice", cy, `<html lang="cy">`, "<h1>Hysbysiad preifatrwydd</h1>",
		"Practitioner Support <Trust> yw rheolydd", "Cyfeiriad:", "dpo@example.org",
		"Erthygl 6(1)(e)", "data categori arbennig", "grwpiau o 7 ateb o leiaf", "am 6 o flynyddoedd",
		"Eich hawliau", "yr hawl i'w dileu", "ni allwn ddod o hyd iddynt eto",
		"Swyddfa'r Comisiynydd Gwybodaeth", `href="tel:03031231113"`, "Newidiwyd yr hysbysiad hwn ddiwethaf ym mis ")
	for _, english := range []string{"Your rights", "is the controller", "lawful basis"} {
		if strings.Contains(cy, english) {
			t.Errorf("English %q in the Welsh notice", english)
		}
	}

	err = srv.Library.SetPrivacyNotice(context.Background(), survey.PrivacyNotice{Basis: survey.LegitimateInterests, RetentionYears: 1}, "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "the notice on legitimate interests", privacy(t, srv, "en"), "Article 6(1)(f)", "legitimate interest", "for 1 year,")
	contains(t, "the Welsh notice on legitimate interests", privacy(t, srv, "cy"), "Erthygl 6(1)(f)", "am flwyddyn,")
}

// Before admins set the notice's facts, the public notice says something
// neutral in their place and sends the reader to the office: never a broken
// sentence, never an invented organisation or basis.
func TestPrivacyNotice_UnsetFactsShowANeutralFallback(t *testing.T) {
	office := func(o *apitest.Options) { o.API.OfficePhone, o.API.OfficeEmail = "020 7946 0000", "office@example.org" }
	srv := apitest.New(t, office)
	en := privacy(t, srv, "en")
	contains(t, "the unset notice", en, "The organisation that runs this service is the controller", "Ask the office for its name and address",
		"ask for the data protection officer", `href="mailto:office@example.org"`, "Ask the office which lawful basis",
		"for as long as we use them", "Your rights", "Information Commissioner's Office")
	for _, invented := range []string{"Article 6(1)(e)", "Article 6(1)(f)", "Address:", "years, then delete", "last changed"} {
		if strings.Contains(en, invented) {
			t.Errorf("the unset notice says %q", invented)
		}
	}
	contains(t, "the unset Welsh notice", privacy(t, srv, "cy"), "Gofynnwch i'r swyddfa am ei enw a'i gyfeiriad",
		"Gofynnwch i'r swyddfa pa sail gyfreithlon", "Swyddfa'r Comisiynydd Gwybodaeth")
}
