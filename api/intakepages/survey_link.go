package intakepages

import (
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/intake"
)

// What became of the survey invitation, in words on the closed contact's
// page, and the one-off survey link a call handler can give instead.

var surveyTextWords = map[intake.SurveyTextStatus]string{
	intake.TextQueued:      "The survey text is queued and will be sent to the caller's mobile shortly. Their number is deleted from the queue once it has gone.",
	intake.TextEmailQueued: "The survey invitation is queued and will be e-mailed to the caller shortly, instead of a text. Their address is deleted from the queue once it has gone.",
	intake.TextNotAgreed:   "No survey text: the caller did not agree to one.",
	intake.TextEmailUnavailable: "No survey invitation: the caller agreed to one by e-mail only, and invitations by e-mail are no longer set up. " +
		"Give them a one-off survey link instead.",
	intake.TextNoMobile:     "No survey text: no mobile number is recorded for the caller.",
	intake.TextRecentlySent: "No survey text: the caller was sent one in the last %d days; the next can go from %s.",
	intake.TextLinkGiven:    "No survey text: the caller was given a one-off survey link instead.",
	intake.TextEmergency:    "No survey text: emergency services were called, and no survey text follows an emergency.",
	intake.TextRiskOpen:     "No survey text: the caller's immediate-risk flag is open.",
	intake.TextRefused:      "No survey text: the service could not help the caller.",
	intake.TextWithheld:     "No survey text: you chose none for this contact.",
	intake.TextAfterConversation: "The survey text waits until the first conversation with the peer supporter is recorded " +
		"(or goes on %s if none is): never at intake.",
	intake.TextEmailAfterConversation: "The survey invitation waits until the first conversation with the peer supporter is recorded " +
		"(or goes on %s if none is): never at intake. It will then be e-mailed to the caller, instead of a text. " +
		"Their address is deleted from the queue once it has gone.",
}

// surveyEmailWords replace surveyTextWords for a caller who agreed to the
// invitation by e-mail: no text was ever theirs to get.
var surveyEmailWords = map[intake.SurveyTextStatus]string{
	intake.TextRecentlySent: "No survey invitation: the caller was sent one in the last %d days; the next can go from %s.",
	intake.TextLinkGiven:    "No survey invitation by e-mail: the caller was given a one-off survey link instead.",
	intake.TextEmergency:    "No survey invitation: emergency services were called, and no survey invitation follows an emergency.",
	intake.TextRiskOpen:     "No survey invitation: the caller's immediate-risk flag is open.",
	intake.TextRefused:      "No survey invitation: the service could not help the caller.",
	intake.TextWithheld:     "No survey invitation: you chose none for this contact.",
}

// surveyWhen is what the wording of a survey text's fate needs to say when:
// the days between two invitations to one person as set now, the day the next
// may go, and the day a peer-support text goes if no conversation is recorded,
// each as a handler says it ("Monday 21 December").
type surveyWhen struct {
	Days             int
	NextFrom, PeerOn string
}

// surveyTextWording says in words what became of a closed contact's survey
// invitation, by e-mail or by text as the caller chose.
func surveyTextWording(ct intake.Contact, when surveyWhen) string {
	words, ok := surveyEmailWords[ct.SurveyText]
	if !ok || !ct.EmailAgreed {
		words = surveyTextWords[ct.SurveyText]
	}
	switch ct.SurveyText {
	case intake.TextRecentlySent:
		return fmt.Sprintf(words, when.Days, when.NextFrom)
	case intake.TextAfterConversation, intake.TextEmailAfterConversation:
		return fmt.Sprintf(words, when.PeerOn)
	}
	return words
}

var linkRefusals = web.Answers{{Is: intake.ErrNoSurveyLink, Status: fiber.StatusConflict,
	Message: "No survey link can be given for this contact: the caller did not agree to feedback, an invitation goes to them by text or e-mail instead, or a link was given already."}}

// SurveyLink is POST /intake/contacts/{id}/survey-link: a one-off survey link
// for a caller who agreed to feedback but has no mobile number, shown once to
// pass on at the end of a live chat or an e-mail, and never stored.
func (s *Pages) SurveyLink(c fiber.Ctx) error {
	link, err := s.intake.GiveSurveyLink(c.Context(), web.Param(c, "id"), s.links)
	if err != nil {
		return s.contactAgain(c, fmt.Errorf("survey link: %w", err), nil, linkRefusals)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.renderContact(c, fiber.StatusOK, contactPage{SurveyLink: link})
}
