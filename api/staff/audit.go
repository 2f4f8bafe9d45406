package staff

import (
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
)

// Audit writes one entry for the signed-in person. Callers audit before they
// show a record, so a view that cannot be logged is not shown.
func (s *Pages) Audit(c fiber.Ctx, action accounts.Action, recordID string) error {
	if err := s.accounts.Record(c.Context(), SessionOf(c).Email, action, recordID); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
