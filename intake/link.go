package intake

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TextLinkGiven: the caller, who could get no text, was given a one-off survey
// link by the call handler instead (at the end of a live chat or an e-mail).
const TextLinkGiven SurveyTextStatus = "link-given"

// ErrNoSurveyLink means a contact cannot be given a survey link: it is open,
// the caller did not agree to feedback, a text went instead, or a link was
// given already.
var ErrNoSurveyLink = errors.New("no survey link for this contact")

// GiveSurveyLink mints a one-off survey link for a closed contact whose caller
// agreed to an invitation that could not go (see CanGiveSurveyLink), and records that one was
// given — never the link itself, which the call handler passes on once. A
// contact gets at most one link, as it gets at most one text.
func (s *Store) GiveSurveyLink(ctx context.Context, id string, links InvitationLinks) (string, error) {
	if links == nil {
		return "", fmt.Errorf("%w: invitations are off", ErrNoSurveyLink)
	}
	c, err := s.Contact(ctx, id)
	if err != nil {
		return "", err
	}
	if !CanGiveSurveyLink(c) {
		return "", ErrNoSurveyLink
	}
	res, err := s.coll(collContacts).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "survey_text", Value: c.SurveyText}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "survey_text", Value: TextLinkGiven}}}})
	if err != nil {
		return "", fmt.Errorf("give a survey link: %w", err)
	}
	if res.MatchedCount == 0 {
		return "", ErrNoSurveyLink // another handler gave one a moment ago
	}
	link, err := links.Link(string(c.Service))
	if err != nil {
		return "", fmt.Errorf("give a survey link: %w", err)
	}
	return link, nil
}

// CanGiveSurveyLink: the contact is closed, its caller agreed to a survey
// invitation, and none could go (no mobile number, or e-mail invitations were
// turned off), and no link was given yet.
func CanGiveSurveyLink(c Contact) bool {
	return c.ClosedAt != nil && ((c.FeedbackAgreed && c.SurveyText == TextNoMobile) || c.SurveyText == TextEmailUnavailable)
}
