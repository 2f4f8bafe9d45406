package api

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
)

// Staff sign-in, sign-out and changing one's own password.

const (
	loginPath    = "/login"
	passwordPath = "/account/password"
)

// Messages of the sign-in form. A failure never says which part was wrong, or
// whether the address has an account.
const (
	badCredentials  = "Enter a correct e-mail address and password"
	tooManyAttempts = "There have been too many attempts to sign in. Try again later."
)

type loginPage struct {
	page
	Email, Next string
	Problems    fieldErrors
}

func (s *Server) loginForm(c fiber.Ctx) error {
	return s.renderLogin(c, fiber.StatusOK, "", c.Query("next"), nil)
}

// renderLogin shows the form, keeping the e-mail but never the password, and
// next only when it is a local address.
func (s *Server) renderLogin(c fiber.Ctx, status int, email, next string, problems fieldErrors) error {
	if !localPath(next) {
		next = ""
	}
	p := loginPage{page: s.basePage("Sign in"), Email: email, Next: next, Problems: problems}
	p.StaffArea, p.Invalid = true, problems != nil
	return s.render(c, status, "login", p)
}

func (s *Server) loginSubmit(c fiber.Ctx) error {
	form, err := s.form(c)
	if err != nil {
		return err
	}
	email, password, next := strings.TrimSpace(form.Get("email")), form.Get("password"), form.Get("next")
	var problems fieldErrors
	if email == "" {
		problems.add("email", "Enter your e-mail address")
	}
	if password == "" {
		problems.add("password", "Enter your password")
	}
	if problems != nil {
		return s.renderLogin(c, fiber.StatusUnprocessableEntity, email, next, problems)
	}
	// The client key is kept in memory by the lockout: copy it out of Fiber's buffer.
	sess, err := s.accounts.SignIn(c.Context(), email, password, s.proxies.clientAddress(c))
	var locked *accounts.LockedError
	switch {
	case errors.As(err, &locked):
		return s.renderLogin(c, fiber.StatusTooManyRequests, email, next, fieldErrors{{"email", tooManyAttempts}})
	case errors.Is(err, accounts.ErrInvalidCredentials):
		return s.renderLogin(c, fiber.StatusUnprocessableEntity, email, next,
			fieldErrors{{"email", badCredentials}, {"password", badCredentials}})
	case err != nil:
		return fmt.Errorf("sign in: %w", err)
	}
	// A session the browser already held ends: one browser, one session.
	if old := c.Cookies(s.cookieName()); old != "" {
		if err := s.accounts.DeleteSession(c.Context(), old); err != nil {
			s.log.Warn("end previous session at sign-in", "err", err)
		}
	}
	s.setSessionCookie(c, sess)
	return c.Redirect().Status(fiber.StatusSeeOther).To(s.afterSignIn(sess, next))
}

// afterSignIn is where a new session goes: to choose a password if the one
// used was a one-time password, else to next, else to their landing page.
func (s *Server) afterSignIn(sess accounts.Session, next string) string {
	if sess.MustChangePassword {
		if localPath(next) {
			return passwordPath + "?next=" + url.QueryEscape(next)
		}
		return passwordPath
	}
	if localPath(next) {
		return next
	}
	return landing(sess)
}

// landing is a person's home page: account management for admins, otherwise
// the list of what they can open.
func landing(sess accounts.Session) string {
	if sess.Has(accounts.RoleAdmin) {
		return "/admin/users"
	}
	return "/staff"
}

// localPath accepts only an address on this site: a path starting with one
// "/" ("//host" and "/\host" are other hosts to a browser), with no scheme,
// host, backslash or control character.
func localPath(p string) bool {
	if len(p) == 0 || len(p) > 2000 || p[0] != '/' || strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if b := p[i]; b < 0x20 || b == 0x7f || b == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

func (s *Server) logout(c fiber.Ctx) error {
	sess := sessionOf(c)
	if sess == nil {
		s.clearSessionCookie(c)
		return c.Redirect().Status(fiber.StatusSeeOther).To(loginPath)
	}
	if !s.validCSRF(c, sess) {
		return s.forbidCSRF(c)
	}
	if err := s.accounts.SignOut(c.Context(), c.Cookies(s.cookieName())); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	s.clearSessionCookie(c)
	return c.Redirect().Status(fiber.StatusSeeOther).To(loginPath + "?signed_out=1")
}

type passwordPage struct {
	page
	MustChange bool
	Next       string
	Problems   fieldErrors
}

func (s *Server) passwordForm(c fiber.Ctx) error {
	return s.renderPassword(c, fiber.StatusOK, c.Query("next"), nil)
}

func (s *Server) renderPassword(c fiber.Ctx, status int, next string, problems fieldErrors) error {
	if !localPath(next) {
		next = ""
	}
	p := passwordPage{page: s.staffPage(c, "Choose a new password"), MustChange: sessionOf(c).MustChangePassword, Next: next, Problems: problems}
	p.Invalid = problems != nil
	return s.render(c, status, "password", p)
}

// passwordSubmit changes the signed-in person's password. That ends all their
// sessions, so on success they get a new one at once.
func (s *Server) passwordSubmit(c fiber.Ctx) error {
	sess := sessionOf(c)
	form, err := s.form(c)
	if err != nil {
		return err
	}
	current, next, confirm := form.Get("current"), form.Get("new"), form.Get("confirm")
	back := form.Get("next")
	var problems fieldErrors
	if current == "" {
		problems.add("current", "Enter your current password")
	}
	if next == "" {
		problems.add("new", "Enter a new password")
	} else if confirm != next {
		problems.add("confirm", "Enter the same new password twice")
	}
	if problems != nil {
		return s.renderPassword(c, fiber.StatusUnprocessableEntity, back, problems)
	}
	err = s.accounts.ChangePassword(c.Context(), sess.Email, current, next)
	var locked *accounts.LockedError
	switch {
	case errors.As(err, &locked):
		return s.renderPassword(c, fiber.StatusTooManyRequests, back, fieldErrors{{"current", tooManyAttempts}})
	case errors.Is(err, accounts.ErrInvalidCredentials):
		return s.renderPassword(c, fiber.StatusUnprocessableEntity, back, fieldErrors{{"current", "Your current password is not right"}})
	case errors.Is(err, accounts.ErrWeakPassword):
		msg := strings.TrimPrefix(err.Error(), accounts.ErrWeakPassword.Error()+": ")
		return s.renderPassword(c, fiber.StatusUnprocessableEntity, back, fieldErrors{{"new", "Choose a different password: " + msg}})
	case err != nil:
		return fmt.Errorf("change password: %w", err)
	}
	u, err := s.accounts.Get(c.Context(), sess.Email)
	if err != nil {
		return err
	}
	fresh, err := s.accounts.CreateSession(c.Context(), u)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, fresh)
	return c.Redirect().Status(fiber.StatusSeeOther).To(s.afterSignIn(fresh, back))
}

// staffLink is an entry of the staff home page; no URL means not built yet.
type staffLink struct{ Title, URL, Description string }

func (s *Server) staffHome(c fiber.Ctx) error {
	sess := sessionOf(c)
	var links []staffLink
	if sess.Has(accounts.RoleAdmin) {
		links = append(links,
			staffLink{"Staff accounts", "/admin/users", "Add people, give roles, disable accounts and reset passwords."},
			staffLink{"Audit log", "/admin/audit", "Sign-ins, account changes and views of callers' records, newest first."},
			staffLink{"Practitioners", "/admin/practitioners", "Counsellors and peer-support doctors: add, edit, activate and deactivate."},
			staffLink{"Subject access and erasure", "/admin/people", "Export or erase what is held about a caller, from their record reference."})
	}
	if sess.Has(accounts.RoleQuality) || sess.Has(accounts.RoleAdmin) {
		links = append(links, staffLink{"Dashboards", "/dashboards", "Survey results by service and month, comments, charts and the FFT return."})
	}
	if sess.Has(accounts.RoleIntake) {
		links = append(links,
			staffLink{"New contact", "/intake/contacts/new", "Take a caller's details, check they can use the service and route them."},
			staffLink{"Find a person", "/intake/people", "Find a returning caller by name, date of birth and phone or e-mail."})
	}
	links = append(links, staffLink{"Change your password", passwordPath, ""})
	return s.render(c, fiber.StatusOK, "staff", struct {
		page
		Links []staffLink
	}{s.staffPage(c, "Staff home"), links})
}
