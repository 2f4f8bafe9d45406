package intakepages

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Peer support after intake: a call handler, or the peer supporter through an
// account with the peer role, records contact made, each conversation and the
// end. A peer account sees only the callers routed to its own practitioner.

// dateInput is a GOV.UK date input: day, month and year boxes sent as
// {name}-day, {name}-month and {name}-year; the day box has the id name.
type dateInput struct {
	Name, Legend, Hint, Error string
	Day, Month, Year          string
}

func newDateInput(form web.Values, problems field.Errors, name, legend, hint string) dateInput {
	return dateInput{Name: name, Legend: legend, Hint: hint, Error: problems.For(name),
		Day: form.Text(name + "-day"), Month: form.Text(name + "-month"), Year: form.Text(name + "-year")}
}

type peerPage struct {
	web.Page
	Practitioner intake.Practitioner
	Callers      []intake.Opened
}

// ownPractitioner is the peer supporter signed in, or ErrNotFound when the
// account is linked to none.
func (s *Pages) ownPractitioner(c fiber.Ctx) (intake.Practitioner, error) {
	return s.intake.PractitionerForAccount(c.Context(), staff.SessionOf(c).Email)
}

// PeerHome is GET /peer: the signed-in peer supporter's own callers.
func (s *Pages) PeerHome(c fiber.Ctx) error {
	p := peerPage{Page: s.staff.Page(c, "Your callers")}
	pr, err := s.ownPractitioner(c)
	if err != nil && !errors.Is(err, intake.ErrNotFound) {
		return fmt.Errorf("peer home: %w", err)
	}
	if err == nil {
		p.Practitioner = pr
		if p.Callers, err = s.intake.Caseload(c.Context(), pr.ID); err != nil {
			return fmt.Errorf("peer home: %w", err)
		}
	}
	for _, o := range p.Callers {
		if err := s.staff.Audit(c, actionPersonFound, o.Person.ID); err != nil {
			return err
		}
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "peer", p)
}

// ownContact checks that the contact in the path was routed to the signed-in
// peer supporter; any other contact is not found (intake.ErrNotFound) to
// them, as is every contact to an account linked to no practitioner.
func (s *Pages) ownContact(c fiber.Ctx) error {
	pr, err := s.ownPractitioner(c)
	if err != nil {
		return err
	}
	ct, err := s.intake.Contact(c.Context(), web.Param(c, "id"))
	if err != nil {
		return err
	}
	if ct.Peer == nil || ct.PractitionerID != pr.ID {
		return intake.ErrNotFound
	}
	return nil
}

// PeerContact is GET /peer/contacts/{id}: one of the peer supporter's own callers.
func (s *Pages) PeerContact(c fiber.Ctx) error {
	if err := s.ownContact(c); err != nil {
		return fmt.Errorf("peer contact: %w", err)
	}
	return s.renderContact(c, fiber.StatusOK, contactPage{PeerView: true, Base: "/peer"})
}

// PeerOwnUpdate is POST /peer/contacts/{id}/peer, for the peer supporter's own callers.
func (s *Pages) PeerOwnUpdate(c fiber.Ctx) error {
	if err := s.ownContact(c); err != nil {
		return fmt.Errorf("peer update: %w", err)
	}
	return s.peerUpdate(c, contactPage{PeerView: true, Base: "/peer"})
}

// PeerUpdate is POST /intake/contacts/{id}/peer, for call handlers.
func (s *Pages) PeerUpdate(c fiber.Ctx) error {
	return s.peerUpdate(c, contactPage{Base: "/intake"})
}

// peerUpdate records contact made (or not), a conversation, or the end, and
// audits it; form problems show the contact again with the date marked.
func (s *Pages) peerUpdate(c fiber.Ctx, again contactPage) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	id, ctx := web.Param(c, "id"), c.Context()
	switch form.Get("action") {
	case "conversation":
		_, err = s.intake.LogConversation(ctx, id, form.Get("on-day"), form.Get("on-month"), form.Get("on-year"))
	case "contact-made":
		_, err = s.intake.RecordContactMade(ctx, id, true, form.Get("made-day"), form.Get("made-month"), form.Get("made-year"))
		if problems := web.FieldErrors(err); problems != nil {
			err = problems.Renamed(func(string) string { return "made" })
		}
	case "no-contact":
		_, err = s.intake.RecordContactMade(ctx, id, false, "", "", "")
	case "end":
		_, err = s.intake.EndPeerSupport(ctx, id)
	default:
		return fiber.ErrBadRequest
	}
	if err != nil {
		return web.ShowAgain(fmt.Errorf("peer support: %w", err), peerRefusals, func(a web.Again) error {
			again.Problems, again.Notice = a.Problems, a.Notice
			if a.Problems != nil {
				again.Form = web.Values(form)
			}
			return s.renderContact(c, a.Status, again)
		})
	}
	if err := s.staff.Audit(c, actionPeerRecorded, id); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(again.Base + "/contacts/" + url.PathEscape(id) + "#peer")
}

// peerRefusals are shown above the contact again.
var peerRefusals = web.Answers{
	{Is: intake.ErrPeerEnded, Status: fiber.StatusConflict, Message: peerUnchanged},
	{Is: intake.ErrNotPeerSupport, Status: fiber.StatusConflict, Message: peerUnchanged},
}

const peerUnchanged = "Nothing was changed: this is not a peer-support contact, or its peer support has ended."

// selectView is a drop-down of fixed answers, with "Not asked" first.
type selectView struct {
	Name, Label, Value string
	Options            []intake.Option
}

func newSelect(form web.Values, name, label string, options []intake.Option) selectView {
	return selectView{Name: name, Label: label, Value: form.Text(name), Options: options}
}

// Report is GET /intake/report: contacts by the privacy notice's fields, by
// closed month, small numbers suppressed.
func (s *Pages) Report(c fiber.Ctx) error {
	r, err := s.intake.Report(c.Context(), 12)
	if err != nil {
		return fmt.Errorf("intake report: %w", err)
	}
	away, err := s.intake.TurnedAway(c.Context(), 12)
	if err != nil {
		return fmt.Errorf("intake report: %w", err)
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "report", struct {
		web.Page
		Report     intake.ProfileReport
		TurnedAway []intake.TurnedAwayMonth
		K          int
	}{s.staff.Page(c, "Intake report"), r, away, intake.MinGroup})
}
