package api

import (
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
)

// Audit actions of the intake pages. The target is always a record id (person,
// contact or practitioner), never a name, number or anything else a person
// told the service.
const (
	actionPersonViewed          accounts.Action = "person_viewed"   // a person's record was shown
	actionPersonFound           accounts.Action = "person_found"    // a person was shown as a search candidate
	actionRiskFlagged           accounts.Action = "risk_flagged"    // target: the contact
	actionPersonExported        accounts.Action = "person_exported" // subject access
	actionPersonErased          accounts.Action = "person_erased"
	actionPractitionerAdded     accounts.Action = "practitioner_added"
	actionPractitionerChanged   accounts.Action = "practitioner_changed"
	actionPractitionerActivated accounts.Action = "practitioner_activated"
	actionPractitionerStopped   accounts.Action = "practitioner_deactivated"
)

// audit writes one entry for the signed-in person. Callers audit before they
// show a record, so a view that cannot be logged is not shown.
func (s *Server) audit(c fiber.Ctx, action accounts.Action, recordID string) error {
	if err := s.accounts.Record(c.Context(), sessionOf(c).Email, action, recordID); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// recordNotFound answers a staff page asking for a record that does not exist.
func (s *Server) recordNotFound(c fiber.Ctx) error {
	return s.staffError(c, fiber.StatusNotFound, "Record not found",
		"There is no record with this reference. It may have been erased, or removed at the end of the retention period.")
}
