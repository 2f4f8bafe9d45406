package staff

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
)

// Staff sign-in, sign-out and changing one's own password.

// LoginPath is the sign-in page, where a signed-out request for a staff page goes.
const LoginPath = "/login"

const passwordPath = "/account/password"

// Messages of the sign-in form. A failure never says which part was wrong, or
// whether the address has an account.
const (
	badCredentials  = "Enter a correct e-mail address and password"
	tooManyAttempts = "There have been too many attempts to sign in. Try again later."
	oneTimeExpired  = "This one-time password has expired. Ask an administrator for a new one."
)

// signInRefusals are the refusals the sign-in form shows.
var signInRefusals = web.Answers{
	{Is: accounts.ErrLocked, Status: fiber.StatusTooManyRequests, Field: "email", Message: tooManyAttempts},
	{Is: accounts.ErrInvalidCredentials, Status: fiber.StatusUnprocessableEntity, Field: "email password", Message: badCredentials},
	{Is: accounts.ErrOneTimeExpired, Status: fiber.StatusUnprocessableEntity, Field: "password", Message: oneTimeExpired},
}

type loginPage struct {
	web.Page
	Email, Next string
	Problems    field.Errors
}

// LoginForm is GET /login.
func (s *Pages) LoginForm(c fiber.Ctx) error {
	return s.renderLogin(c, fiber.StatusOK, "", web.Query(c, "next"), nil)
}

// renderLogin shows the form, keeping the e-mail but never the password, and
// next only when it is a local address.
func (s *Pages) renderLogin(c fiber.Ctx, status int, email, next string, problems field.Errors) error {
	if !localPath(next) {
		next = ""
	}
	p := loginPage{Page: s.site.Page("Sign in"), Email: email, Next: next, Problems: problems}
	p.StaffArea, p.Invalid = true, problems != nil
	return s.site.Render(c, status, s.templates, "login", p)
}

// LoginSubmit is POST /login: a new session, or the form again.
func (s *Pages) LoginSubmit(c fiber.Ctx) error {
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	email, password, next := strings.TrimSpace(form.Get("email")), form.Get("password"), form.Get("next")
	var problems field.Errors
	if email == "" {
		problems.Add("email", "Enter your e-mail address")
	}
	if password == "" {
		problems.Add("password", "Enter your password")
	}
	if problems != nil {
		return s.renderLogin(c, fiber.StatusUnprocessableEntity, email, next, problems)
	}
	// The client key is kept in memory by the lockout: web.ClientIP copies it.
	sess, err := s.accounts.SignIn(c.Context(), email, password, lockoutClient(s.site.ClientIP(c)))
	if wait := retryAfter(err); wait != "" {
		c.Set(fiber.HeaderRetryAfter, wait)
	}
	if err != nil {
		return web.ShowAgain(fmt.Errorf("sign in: %w", err), signInRefusals, func(a web.Again) error {
			return s.renderLogin(c, a.Status, email, next, a.Problems)
		})
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
func (s *Pages) afterSignIn(sess accounts.Session, next string) string {
	if sess.MustChangePassword {
		if localPath(next) {
			return passwordPath + "?next=" + url.QueryEscape(next)
		}
		return passwordPath
	}
	if localPath(next) {
		return next
	}
	return homePath
}

// homePath is where a sign-in with nowhere else to go ends, for every role: the
// staff home lists what each may open (an admin looks after more than accounts).
const homePath = "/staff"

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

// Logout is POST /logout: it ends the session (checking the CSRF token
// itself, as no role is required).
func (s *Pages) Logout(c fiber.Ctx) error {
	sess := SessionOf(c)
	if sess == nil {
		s.clearSessionCookie(c)
		return c.Redirect().Status(fiber.StatusSeeOther).To(LoginPath)
	}
	if !s.validCSRF(c, sess) {
		return s.forbidCSRF(c)
	}
	if err := s.accounts.SignOut(c.Context(), c.Cookies(s.cookieName())); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	s.clearSessionCookie(c)
	return c.Redirect().Status(fiber.StatusSeeOther).To(LoginPath + "?signed_out=1")
}

// passwordRefusals are the refusals the password form shows.
var passwordRefusals = web.Answers{
	{Is: accounts.ErrLocked, Status: fiber.StatusTooManyRequests, Field: "current", Message: tooManyAttempts},
	{Is: accounts.ErrInvalidCredentials, Status: fiber.StatusUnprocessableEntity, Field: "current", Message: "Your current password is not right"},
	{Is: accounts.ErrWeakPassword, Status: fiber.StatusUnprocessableEntity, Field: "new", Explain: func(err error) string {
		p, _ := accounts.Problem(err)
		return p.Message
	}},
}

type passwordPage struct {
	web.Page
	MustChange bool
	Next       string
	Problems   field.Errors
}

// PasswordForm is GET /account/password.
func (s *Pages) PasswordForm(c fiber.Ctx) error {
	return s.renderPassword(c, fiber.StatusOK, web.Query(c, "next"), nil)
}

func (s *Pages) renderPassword(c fiber.Ctx, status int, next string, problems field.Errors) error {
	if !localPath(next) {
		next = ""
	}
	p := passwordPage{Page: s.Page(c, "Choose a new password"), MustChange: SessionOf(c).MustChangePassword, Next: next, Problems: problems}
	p.Invalid = problems != nil
	return s.site.Render(c, status, s.templates, "password", p)
}

// PasswordSubmit changes the signed-in person's password. That ends all their
// sessions, so on success they get a new one at once.
func (s *Pages) PasswordSubmit(c fiber.Ctx) error {
	sess := SessionOf(c)
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	current, next, confirm := form.Get("current"), form.Get("new"), form.Get("confirm")
	back := form.Get("next")
	var problems field.Errors
	if current == "" {
		problems.Add("current", "Enter your current password")
	}
	if next == "" {
		problems.Add("new", "Enter a new password")
	} else if confirm != next {
		problems.Add("confirm", "Enter the same new password twice")
	}
	if problems != nil {
		return s.renderPassword(c, fiber.StatusUnprocessableEntity, back, problems)
	}
	if err := s.accounts.ChangePassword(c.Context(), sess.Email, current, next); err != nil {
		return web.ShowAgain(fmt.Errorf("change password: %w", err), passwordRefusals, func(a web.Again) error {
			return s.renderPassword(c, a.Status, back, a.Problems)
		})
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

// Home is GET /staff: links to what the signed-in person may open.
func (s *Pages) Home(c fiber.Ctx) error {
	sess := SessionOf(c)
	var links []staffLink
	if sess.Has(accounts.RoleAdmin) {
		links = append(links,
			staffLink{"Staff accounts", "/admin/users", "Add people, give roles, disable accounts and reset passwords."},
			staffLink{"Audit log", "/admin/audit", "Sign-ins, account changes and views of callers' records, newest first."},
			staffLink{"Surveys", "/admin/surveys", "Change a survey's questions, preview, publish and roll back versions."},
			staffLink{"Names to generalise in comments", "/admin/comment-names", "The practitioners' names every comment replaces with [name] before anyone reads it."},
			staffLink{"Practitioners", "/admin/practitioners", "Counsellors and peer-support doctors: add, edit, activate and deactivate."},
			staffLink{"Intake settings", "/admin/intake-settings", "How often at most one caller is sent a survey invitation."},
			staffLink{"Subject access and erasure", "/admin/people", "Export or erase what is held about a caller, from their record reference."},
			staffLink{"Merge two records", "/admin/people/merge", "When one caller has two records: fold one into the other, audited."},
			staffLink{"Patient-safety concerns", "/admin/safety-concerns", "Concerns raised in peer support, and each step taken, up to the GMC."})
	}
	if sess.Has(accounts.RoleQuality) {
		links = append(links, staffLink{"Dashboards", "/dashboards", "Survey results by service and month, comments, charts and the FFT return."},
			staffLink{"You said, we did", "/dashboards/you-said-we-did", "Tell the people who answer each survey what changed because of their feedback."})
	}
	if sess.Has(accounts.RoleModerator) {
		links = append(links, staffLink{"Comments to moderate", "/moderation", "Comments that might name someone: approve each, or remove the words, before quality leads read it."})
	}
	if sess.Has(accounts.RoleIntake) {
		links = append(links,
			staffLink{"New contact", "/intake/contacts/new", "Take a caller's details, check they can use the service and route them."},
			staffLink{"Find a person", "/intake/people", "Find a returning caller by name, date of birth and phone or e-mail."},
			staffLink{"Intake report", "/intake/report", "Contacts by month, counted by the privacy notice's fields, small numbers hidden."})
	}
	if sess.Has(accounts.RolePeer) {
		links = append(links, staffLink{"Your callers", "/peer", "Callers given your details as their peer supporter: record contact and conversations."})
	}
	links = append(links, staffLink{"Change your password", passwordPath, ""})
	return s.site.Render(c, fiber.StatusOK, s.templates, "staff", struct {
		web.Page
		Links []staffLink
	}{s.Page(c, "Staff home"), links})
}

// lockoutClient is the key the sign-in lockout counts a client's failures
// under: its address, or for IPv6 its /64, which one household or phone
// holds whole (counting each address would give it 2^64 tries).
func lockoutClient(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// retryAfter is the Retry-After of a locked sign-in, in whole seconds, or "".
func retryAfter(err error) string {
	var locked *accounts.LockedError
	if !errors.As(err, &locked) {
		return ""
	}
	return strconv.Itoa(max(1, int(math.Ceil(locked.RetryAfter.Seconds()))))
}
