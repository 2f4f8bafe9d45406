package intakepages

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Patient-safety concerns: restricted to the peer supporter (on their own
// caller's page) and to admins (/admin/safety-concerns). Call handlers never
// see them. Every view by an admin and every step is audited.

var (
	safetySteps = []web.Choice{{Value: intake.StepEncouraged, Label: "The caller was encouraged to seek help"},
		{Value: intake.StepAdvice, Label: "Advice was taken"}, {Value: intake.StepGMC, Label: "The GMC: contacted or not (a last resort)"},
		{Value: intake.StepClosed, Label: "The concern is closed"}}
	yesNo = []web.Choice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}
)

type safetyAdminPage struct {
	web.Page
	Form          web.Values
	Problems      field.Errors
	Notice        string
	Safety        *intake.SafetyConcern
	Concerns      []intake.SafetyConcern
	SupporterName string
	SafetyAction  string
	SafetySteps   []web.Choice
	YesNo         []web.Choice
}

// SafetyConcerns is GET /admin/safety-concerns: every concern, newest first.
func (s *Pages) SafetyConcerns(c fiber.Ctx) error {
	list, err := s.intake.SafetyConcerns(c.Context(), 200)
	if err != nil {
		return fmt.Errorf("safety concerns: %w", err)
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "safety_admin",
		safetyAdminPage{Page: s.staff.Page(c, "Patient-safety concerns"), Concerns: list})
}

// SafetyConcern is GET /admin/safety-concerns/{id}, audited.
func (s *Pages) SafetyConcern(c fiber.Ctx) error {
	return s.renderSafetyAdmin(c, fiber.StatusOK, safetyAdminPage{})
}

func (s *Pages) renderSafetyAdmin(c fiber.Ctx, status int, p safetyAdminPage) error {
	sc, err := s.intake.SafetyConcern(c.Context(), web.Param(c, "id"))
	if err != nil {
		return fmt.Errorf("safety concern: %w", err)
	}
	if err := s.staff.Audit(c, actionSafetyViewed, sc.ContactID); err != nil {
		return err
	}
	if pr, err := s.intake.Practitioner(c.Context(), sc.PractitionerID); err == nil {
		p.SupporterName = pr.Name
	}
	p.Page = s.staff.Page(c, "Patient-safety concern")
	p.Invalid = p.Problems != nil
	p.Safety, p.SafetyAction = &sc, "/admin/safety-concerns/"+url.PathEscape(sc.ContactID)
	p.SafetySteps, p.YesNo = safetySteps, yesNo
	return s.site.Render(c, status, s.templates, "safety_admin", p)
}

// SafetyAdminUpdate is POST /admin/safety-concerns/{id}: a step, by an admin.
func (s *Pages) SafetyAdminUpdate(c fiber.Ctx) error {
	return s.safetyUpdate(c, func(form url.Values, problems field.Errors) error {
		return s.renderSafetyAdmin(c, fiber.StatusUnprocessableEntity, safetyAdminPage{Form: web.Values(form), Problems: problems})
	}, "/admin/safety-concerns/"+url.PathEscape(web.Param(c, "id")))
}

// PeerSafetyUpdate is POST /peer/contacts/{id}/safety: the peer supporter
// raises a concern on their own caller, or records a step.
func (s *Pages) PeerSafetyUpdate(c fiber.Ctx) error {
	if err := s.ownContact(c); err != nil {
		return fmt.Errorf("safety concern: %w", err)
	}
	return s.safetyUpdate(c, func(form url.Values, problems field.Errors) error {
		return s.renderContact(c, fiber.StatusUnprocessableEntity, contactPage{PeerView: true, Base: "/peer", Form: web.Values(form), Problems: problems})
	}, "/peer/contacts/"+url.PathEscape(web.Param(c, "id"))+"#safety")
}

// safetyUpdate raises a concern or records a step, audits it and goes to
// done; a form with problems is shown again by again.
func (s *Pages) safetyUpdate(c fiber.Ctx, again func(url.Values, field.Errors) error, done string) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	id := web.Param(c, "id")
	f := intake.SafetyForm{Kind: form.Get("kind"), Day: form.Get("safety_on-day"), Month: form.Get("safety_on-month"), Year: form.Get("safety_on-year"),
		Concern: form.Get("concern"), From: form.Get("from"), Reason: form.Get("reason"), GMCContacted: form.Get("gmc_contacted")}
	action := actionSafetyStep
	if form.Get("action") == "raise" {
		action = actionSafetyRaised
		_, err = s.intake.RaiseConcern(c.Context(), id, f)
	} else {
		_, err = s.intake.RecordSafetyStep(c.Context(), id, f)
	}
	if err != nil {
		return web.ShowAgain(fmt.Errorf("safety concern: %w", err), safetyRefusals, func(a web.Again) error {
			if a.Notice != "" {
				return s.staff.Error(c, a.Status, "Nothing was changed", a.Notice)
			}
			return again(form, a.Problems.Renamed(func(f string) string {
				if f == "on" {
					return "safety_on"
				}
				return f
			}))
		})
	}
	if err := s.staff.Audit(c, action, id); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(done)
}

// safetyRefusals are answered with a page saying nothing was changed.
var safetyRefusals = web.Answers{
	{Is: intake.ErrNoConcern, Status: fiber.StatusConflict, Message: safetyUnchanged},
	{Is: intake.ErrAlreadyClosed, Status: fiber.StatusConflict, Message: safetyUnchanged},
	{Is: intake.ErrNotPeerSupport, Status: fiber.StatusConflict, Message: safetyUnchanged},
}

const safetyUnchanged = "There is no open patient-safety concern on this contact, or it is not a peer-support contact."

// loadSafety puts the contact's concern, if any, on the peer supporter's page.
func (s *Pages) loadSafety(c fiber.Ctx, p *contactPage, contactID string) error {
	sc, err := s.intake.SafetyConcern(c.Context(), contactID)
	switch {
	case err == nil:
		p.Safety = &sc
	case !errors.Is(err, intake.ErrNotFound):
		return fmt.Errorf("safety concern: %w", err)
	}
	p.SafetyAction = "/peer/contacts/" + url.PathEscape(contactID) + "/safety"
	p.SafetySteps, p.YesNo = safetySteps, yesNo
	return nil
}
