package api

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/staff"
)

// staffSession is GET /api/staff/session: who is signed in, and the token that
// state-changing JSON calls send in the X-CSRF-Token header.
type staffSession struct {
	Email     string          `json:"email"`
	Name      string          `json:"name"`
	Roles     []accounts.Role `json:"roles"`
	CSRFToken string          `json:"csrf_token"`
}

func (s *Server) apiStaffSession(c fiber.Ctx) error {
	sess := staff.SessionOf(c)
	return c.JSON(staffSession{Email: sess.Email, Name: sess.Name, Roles: sess.Roles, CSRFToken: sess.CSRFToken})
}
