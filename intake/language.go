package intake

import "fmt"

// Language is the language a caller chose for their survey text: English, or
// Welsh (Cymraeg). It goes no further than the text: the link asks the survey
// page for Welsh with ?lang=cy, and nothing about the caller goes with it.
type Language string

// The languages of the survey text.
const (
	English Language = "en"
	Welsh   Language = "cy"
)

// languageOf is the language a form gave; anything else is English, so the
// answer can never stop a record being saved.
func languageOf(v string) Language {
	if Language(v) == Welsh {
		return Welsh
	}
	return English
}

// The Welsh texts use only GSM-7 characters (no ŵ, ŷ or â, which would make
// the whole text UCS-2, 70 characters a segment), and each is shorter than
// its English one by more than "?lang=cy", so a base URL whose English text
// fits one segment fits in Welsh too (see CheckSurveyText).
const (
	welshSurveyTextFormat  = "Diolch am gysylltu. Dywedwch wrthym sut aeth hi mewn arolwg byr dienw: %s"
	welshInvitedTextFormat = "Diolch am gysylltu. Dywedwch sut aeth hi mewn arolwg dienw: %s"
	welshQuery             = "?lang=cy"
)

// SurveyTextIn is the text sent after a contact for service, in lang.
func SurveyTextIn(baseURL string, service ServiceType, lang Language) string {
	if lang == Welsh {
		return fmt.Sprintf(welshSurveyTextFormat, SurveyLink(baseURL, service)+welshQuery)
	}
	return SurveyText(baseURL, service)
}

// InvitedSurveyTextIn is the text with a single-use invitation link, in lang.
func InvitedSurveyTextIn(link string, lang Language) string {
	if lang == Welsh {
		return fmt.Sprintf(welshInvitedTextFormat, link+welshQuery)
	}
	return InvitedSurveyText(link)
}
