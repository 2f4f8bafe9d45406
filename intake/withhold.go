package intake

import "fmt"

// A call handler can decide that no survey text follows a contact, whatever
// the caller agreed, and says why; and, for a caller who shares their phone,
// that the text is worded neutrally. Neither changes what crosses the wall: a
// withheld text is simply never sent, and a neutral one is counted like any other.

// NoTextReason is why a handler chose no survey text for a contact.
type NoTextReason string

// The reasons a handler can give.
const (
	NoTextDistressing NoTextReason = "distressing"
	NoTextSharedPhone NoTextReason = "shared-phone"
	NoTextAskedNot    NoTextReason = "asked-not-to"
	NoTextOther       NoTextReason = "other"
)

// NoTextReasons are the reasons, in the order the form lists them.
var NoTextReasons = []NoTextReason{NoTextDistressing, NoTextSharedPhone, NoTextAskedNot, NoTextOther}

// NoTextField is the closing form's field for the choice.
const NoTextField = "no_text"

// valid: empty (the text goes as agreed) or one of NoTextReasons.
func (r NoTextReason) valid() bool {
	if r == "" {
		return true
	}
	for _, v := range NoTextReasons {
		if r == v {
			return true
		}
	}
	return false
}

// The neutral survey texts, for a phone someone else may read: they say
// nothing of what the service is. With invitations on (the default) the link
// is /i/{code}, which names nothing either; with them off it is the service's
// own link, and that names the service.
const (
	neutralTextFormat      = "Thank you for your call. Tell us how it went: %s"
	welshNeutralTextFormat = "Diolch am eich galwad. Dywedwch sut aeth hi: %s"
)

// NeutralSurveyTextIn is the neutral text around link (an invitation link or
// the service's survey link), in lang.
func NeutralSurveyTextIn(link string, lang Language) string {
	if lang == Welsh {
		return fmt.Sprintf(welshNeutralTextFormat, link+welshQuery)
	}
	return fmt.Sprintf(neutralTextFormat, link)
}
