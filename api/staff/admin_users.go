package staff

import (
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
)

// Administration: staff accounts and the audit log. Every route here is for
// admins only (see routes) and every change is audited by the accounts package.

type usersPage struct {
	web.Page
	Users []accounts.User
	Roles []accounts.Role
	// WallRule is which roles cannot go together, from accounts.
	WallRule string
	Self     string
	Form     web.Values
	Problems field.Errors
	// OneTime is a new one-time password, shown on this page only.
	OneTime *accounts.Credentials
	Notice  string
}

// Users is GET /admin/users: every staff account, and the add form.
func (s *Pages) Users(c fiber.Ctx) error {
	return s.renderUsers(c, fiber.StatusOK, usersPage{})
}

func (s *Pages) renderUsers(c fiber.Ctx, status int, p usersPage) error {
	users, err := s.accounts.List(c.Context())
	if err != nil {
		return err
	}
	p.Page = s.Page(c, "Staff accounts")
	p.Invalid = p.Problems != nil
	p.Users, p.Roles, p.WallRule, p.Self = users, accounts.Roles, accounts.WallRule(), SessionOf(c).Email
	return s.site.Render(c, status, s.templates, "users", p)
}

// AddUser adds an account with a generated one-time password, shown once
// on the page that answers.
func (s *Pages) AddUser(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	nu, problems := accounts.ParseNewUser(form.Get("email"), form.Get("name"), form["role"])
	nu.Password, nu.Generated = accounts.GeneratePassword(), true
	if problems == nil {
		_, err = s.accounts.Add(c.Context(), SessionOf(c).Email, nu)
		if p, ok := accounts.Problem(err); ok {
			problems = field.Errors{p}
		} else if err != nil {
			return fmt.Errorf("add account: %w", err)
		}
	}
	// The roles' error is shown on, and linked to, their first checkbox.
	problems = problems.Renamed(func(f string) string {
		if f == "role" {
			return "role-admin"
		}
		return f
	})
	if problems != nil {
		return s.renderUsers(c, fiber.StatusUnprocessableEntity, usersPage{Form: web.Values(form), Problems: problems})
	}
	email, _ := accounts.NormaliseEmail(nu.Email)
	return s.renderUsers(c, fiber.StatusOK, usersPage{
		OneTime: &accounts.Credentials{Email: email, Password: nu.Password},
		Notice:  "Account added for " + email + ".",
	})
}

// SetEnabled enables or disables the account named in the form.
func (s *Pages) SetEnabled(enabled bool) fiber.Handler {
	return func(c fiber.Ctx) error {
		form, err := web.Form(c)
		if err != nil {
			return err
		}
		err = s.accounts.SetEnabled(c.Context(), SessionOf(c).Email, form.Get("email"), enabled)
		if err != nil {
			return s.accountRefused(c, fmt.Errorf("enable or disable account: %w", err))
		}
		// Disabling oneself ends one's own session; the redirect then asks to sign in.
		return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/users")
	}
}

// ResetPassword gives the account named in the form a new one-time
// password, shown once, and ends its sessions.
func (s *Pages) ResetPassword(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	email, password := form.Get("email"), accounts.GeneratePassword()
	err = s.accounts.SetPassword(c.Context(), SessionOf(c).Email, email, password, true)
	if err != nil {
		return s.accountRefused(c, fmt.Errorf("reset password: %w", err))
	}
	email, _ = accounts.NormaliseEmail(email)
	if email == SessionOf(c).Email {
		// Their own sessions, this one included, have just ended.
		s.clearSessionCookie(c)
	}
	return s.renderUsers(c, fiber.StatusOK, usersPage{
		OneTime: &accounts.Credentials{Email: email, Password: password},
		Notice:  "New one-time password set for " + email + ". Their other sessions have ended.",
	})
}

// accountRefusals are the refusals an admin can meet on an existing account.
var accountRefusals = web.Answers{
	{Is: accounts.ErrLastAdmin, Status: fiber.StatusConflict, Message: "You cannot disable the last enabled administrator. Make someone else an administrator first."},
	{Is: accounts.ErrNotFound, Status: fiber.StatusNotFound, Message: noAccount},
	{Is: accounts.ErrInvalidEmail, Status: fiber.StatusNotFound, Message: noAccount},
}

const noAccount = "There is no account with that e-mail address."

// accountRefused shows the accounts again with a refusal as the notice.
func (s *Pages) accountRefused(c fiber.Ctx, err error) error {
	return web.ShowAgain(err, accountRefusals, func(a web.Again) error {
		return s.renderUsers(c, a.Status, usersPage{Notice: a.Notice})
	})
}

type auditPage struct {
	web.Page
	Entries []accounts.AuditEntry
	Older   string
}

// AuditLog shows the audit log newest first, a page at a time.
func (s *Pages) AuditLog(c fiber.Ctx) error {
	log, err := s.accounts.ReadAudit(c.Context(), web.Query(c, "after"), accounts.DefaultAuditPageSize)
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	p := auditPage{Page: s.Page(c, "Audit log"), Entries: log.Entries}
	if log.Next != "" {
		p.Older = "/admin/audit?after=" + url.QueryEscape(log.Next)
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "audit", p)
}
