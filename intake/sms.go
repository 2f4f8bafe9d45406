package intake

import (
	"fmt"
	"net/url"
	"strings"
)

// MaxSegmentSeptets is the length of one GSM-7 SMS segment. A longer text is
// sent in parts of 153 characters and costs more.
const MaxSegmentSeptets = 160

// surveyTextFormat is the survey invitation. It says nothing about the person or
// the contact: anyone who sees the phone learns only that a link was sent.
const surveyTextFormat = "Thank you for contacting us. Please tell us how it went in a short anonymous survey: %s"

// invitedTextFormat is the text when the link carries a single-use invitation
// ({base URL}/i/{20 characters}, 8 longer than the plain link): worded 12
// characters shorter, so every base URL CheckSurveyText accepts still fits.
const invitedTextFormat = "Thank you for contacting us. Tell us how it went in an anonymous survey: %s"

// SurveyLink is the address of a service's survey: {baseURL}/s/{service}.
func SurveyLink(baseURL string, service ServiceType) string {
	return strings.TrimRight(baseURL, "/") + "/s/" + string(service)
}

// SurveyText is the text sent after a contact for service.
func SurveyText(baseURL string, service ServiceType) string {
	return fmt.Sprintf(surveyTextFormat, SurveyLink(baseURL, service))
}

// InvitedSurveyText is the text sent after a contact when invitations are on:
// link is a single-use invitation link for the contact's service.
func InvitedSurveyText(link string) string {
	return fmt.Sprintf(invitedTextFormat, link)
}

// CheckSurveyText checks at start-up that baseURL is an absolute http(s) address
// and that the survey text for each built-in service fits one GSM-7 segment
// (Outbox.UseServices checks a service added to them).
func CheckSurveyText(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("survey text: base URL %q must be an absolute http(s) address without query or fragment", baseURL)
	}
	for _, service := range []ServiceType{Counselling, PeerSupport} {
		for _, lang := range []Language{English, Welsh} {
			if err := checkSegment(service, SurveyTextIn(baseURL, service, lang)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSegment checks that text, a survey text for service, is one GSM-7 segment.
func checkSegment(service ServiceType, text string) error {
	n, ok := GSM7Length(text)
	if !ok {
		return fmt.Errorf("survey text for %s has characters outside the GSM-7 alphabet: %q", service, text)
	}
	if n > MaxSegmentSeptets {
		return fmt.Errorf("survey text for %s is %d GSM-7 characters, more than one %d-character segment; use a shorter base URL (%d characters too long)",
			service, n, MaxSegmentSeptets, n-MaxSegmentSeptets)
	}
	return nil
}

// The GSM 03.38 default alphabet, and its extension table whose characters take
// two septets (an escape and the character).
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extension = "\f^{}\\[~]|€"
)

// GSM7Length is the number of septets text takes in GSM-7, and false when a
// character is outside the alphabet (the text would go as UCS-2, 70 per segment).
func GSM7Length(text string) (int, bool) {
	n := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Extension, r):
			n += 2
		default:
			return n, false
		}
	}
	return n, true
}
