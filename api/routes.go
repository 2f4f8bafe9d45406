package api

import (
	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/moderationpages"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/surveyadmin"
	"github.com/feedback-service/feedback/api/web"
)

// routes lists every route; middleware runs in the order written here, and
// each audience's routes follow in the functions below, in this order.
func (s *Server) routes() {
	app := s.App
	app.Use(s.countInFlight)                  // Shutdown waits for requests in handlers
	app.Use(s.observe)                        // metrics; one log line for staff and API requests, none for surveys
	app.Use(web.RecoverPanics(s.log))         // a panic is a 500 with no request details logged
	app.Use(web.SecurityHeaders(s.https))     // CSP, nosniff, referrer, permissions, HSTS; no-store on survey routes
	app.Use(web.RateLimit(s.limiter, s.site)) // per client address, in memory only
	app.Use(web.LimitBody)                    // 16 KB for the JSON API, 64 KB for forms

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/static/*", s.site.StaticAsset)

	// Survey pages: no cookies, no per-request logs.
	sp := s.surveyPage
	app.Get("/s/:service", sp.Form)
	app.Post("/s/:service", sp.Submit)
	app.Get("/s/:service/thanks", sp.Thanks)
	app.Get("/s/:service/privacy", sp.Privacy)
	app.Get("/s/:service/you-said-we-did", sp.YouSaid)
	app.Get("/accessibility", sp.Accessibility)
	app.Get("/i/:code", sp.Exchange)
	app.Get("/s/:service/token-key", sp.TokenKey) // blind-signature exchange, for browsers with JavaScript
	app.Post("/s/:service/token", sp.Token)

	v1 := app.Group("/api/v1")
	v1.Get("/openapi.json", s.apiOpenAPI)
	v1.Get("/surveys", s.apiListSurveys)
	v1.Get("/surveys/:service", s.apiGetSurvey)
	v1.Post("/surveys/:service/responses", s.apiSubmit)

	s.staffRoutes(app)
	s.surveyAdminRoutes(app)
	s.intakeRoutes(app)
	s.dashboardRoutes(app, v1)
	s.moderationRoutes(app)

	app.Get("/", func(c fiber.Ctx) error { return s.site.NotFound(c) })
	app.Use(s.unmatched)
}

// staffRoutes are the staff's own pages: the only routes that read or set the
// session cookie. Each chain runs left to right: never cached, session from
// the cookie, role (which also sends a one-time password to be changed
// first), then the CSRF token on anything that changes state.
func (s *Server) staffRoutes(app *fiber.App) {
	st := s.staff
	app.Get(staff.LoginPath, st.Area, st.LoginForm)
	app.Post(staff.LoginPath, st.Area, st.CheckOrigin, st.LoginSubmit) // no session yet: Origin checks
	app.Post("/logout", st.Area, st.LoadSession, st.Logout)            // checks the token itself
	signedIn, admin := st.RequireRole(), st.RequireRole(accounts.RoleAdmin)

	app.Get("/staff", st.Area, st.LoadSession, signedIn, st.Home)

	account := app.Group("/account", st.Area, st.LoadSession, signedIn, st.CheckCSRF)
	account.Get("/password", st.PasswordForm)
	account.Post("/password", st.PasswordSubmit)

	adm := app.Group("/admin", st.Area, st.LoadSession, admin, st.CheckCSRF)
	adm.Get("/users", st.Users)
	adm.Post("/users", st.AddUser)
	adm.Post("/users/enable", st.SetEnabled(true))
	adm.Post("/users/disable", st.SetEnabled(false))
	adm.Post("/users/password", st.ResetPassword)
	adm.Get("/audit", st.AuditLog)
	adm.Get("/practitioners", s.intake.Practitioners)
	adm.Post("/practitioners", s.intake.AddPractitioner)
	adm.Get("/practitioners/:id", s.intake.EditPractitioner)
	adm.Post("/practitioners/:id", s.intake.UpdatePractitioner)
	adm.Post("/practitioners/:id/activate", s.intake.SetPractitionerActive(true))
	adm.Post("/practitioners/:id/deactivate", s.intake.SetPractitionerActive(false))
	adm.Get("/intake-settings", s.intake.IntakeSettings)
	adm.Post("/intake-settings", s.intake.SaveIntakeSettings)
	adm.Get("/people", s.intake.People)
	adm.Get("/people/:id/export", s.intake.ExportPerson)
	adm.Get("/people/:id/erase", s.intake.EraseForm)
	adm.Post("/people/:id/erase", s.intake.ErasePerson)
	adm.Get("/people/merge", s.intake.MergeForm)
	adm.Post("/people/merge", s.intake.Merge)
	adm.Get("/safety-concerns", s.intake.SafetyConcerns)
	adm.Get("/safety-concerns/:id", s.intake.SafetyConcern)
	adm.Post("/safety-concerns/:id", s.intake.SafetyAdminUpdate)

	staffAPI := app.Group("/api/staff", st.Area, st.LoadSession, signedIn, st.CheckCSRF)
	staffAPI.Get("/session", s.apiStaffSession)
}

// intakeRoutes are for call handlers only. Admins manage practitioners and
// answer subject-access and erasure requests, but do not browse callers'
// records.
func (s *Server) intakeRoutes(app *fiber.App) {
	st, in := s.staff, s.intake
	handler := st.RequireRole(accounts.RoleIntake)
	intake := app.Group("/intake", st.Area, st.LoadSession, handler, st.CheckCSRF)
	intake.Get("/", in.Home)
	intake.Get("/contacts/new", in.NewContactForm)
	intake.Get("/contacts/incomplete", in.IncompleteContacts)
	intake.Post("/contacts/new", in.NewContactSubmit)
	intake.Get("/contacts/:id", in.Contact)
	intake.Post("/contacts/:id/close", in.CloseContact)
	intake.Post("/contacts/:id/survey-link", in.SurveyLink)
	intake.Post("/contacts/:id/risk", in.Risk)
	intake.Get("/contacts/:id/details", in.ContactDetails)
	intake.Post("/contacts/:id/details", in.ContactDetailsSubmit)
	intake.Post("/contacts/:id/peer", in.PeerUpdate)
	intake.Get("/people", in.FindPerson)
	intake.Get("/people/:id", in.PersonHistory)
	intake.Get("/report", in.Report)

	// Peer supporters with an account see only their own callers.
	peer := app.Group("/peer", st.Area, st.LoadSession, st.RequireRole(accounts.RolePeer), st.CheckCSRF)
	peer.Get("/", in.PeerHome)
	peer.Get("/contacts/:id", in.PeerContact)
	peer.Post("/contacts/:id/peer", in.PeerOwnUpdate)
	peer.Post("/contacts/:id/safety", in.PeerSafetyUpdate)
}

// dashboardRoutes are read-only, for quality leads only (admins see who is on
// record, so they see no figures: accounts.CheckWall); JSON answers
// 401/403 problems, pages the sign-in redirect and 403 page.
func (s *Server) dashboardRoutes(app *fiber.App, v1 fiber.Router) {
	st, dp := s.staff, s.dash
	quality := st.RequireRole(accounts.RoleQuality)
	// What a script may read with a read-only API token as well as a lead in a
	// browser; registered before the /dashboards group, so it alone answers them.
	v1.Get("/stats/:service", st.Area, st.LoadSessionOrToken, quality, s.apiStats)
	app.Get("/dashboards/fft-return.csv", st.Area, st.LoadSessionOrToken, quality, dp.FFTReturn)
	app.Get("/dashboards/:service/export.csv", st.Area, st.LoadSessionOrToken, quality, dp.Export)
	app.Get("/dashboards/:service/comments.csv", st.Area, st.LoadSessionOrToken, quality, dp.CommentsCSV)
	dash := app.Group("/dashboards", st.Area, st.LoadSession, quality)
	dash.Get("/", dp.Overview)
	dash.Get("/board-pack", dp.BoardPack)
	dash.Post("/notices", st.CheckCSRF, dp.Notices)
	if ys := s.youSaid; ys != nil {
		dash.Get("/you-said-we-did", ys.Index)
		dash.Get("/:service/you-said-we-did", ys.Service)
		dash.Post("/:service/you-said-we-did", st.CheckCSRF, ys.Save)
		dash.Post("/:service/you-said-we-did/remove", st.CheckCSRF, ys.Remove)
	}
	dash.Get("/:service", dp.Service)
	dash.Get("/:service/charts/:chart", dp.Chart)
	dash.Get("/:service/spc", dp.SettingForm)
	dash.Post("/:service/spc", st.CheckCSRF, dp.SaveSetting)
	dash.Get("/:service/themes", dp.ThemesForm)
	dash.Post("/:service/themes", st.CheckCSRF, dp.CorrectThemes)
}

// moderationRoutes are for moderators only: the queue of comments the check
// was unsure of, and a decision on each. No figures are served here.
func (s *Server) moderationRoutes(app *fiber.App) {
	st, mp := s.staff, s.moderation
	mod := app.Group(moderationpages.Path, st.Area, st.LoadSession, st.RequireRole(accounts.RoleModerator), st.CheckCSRF)
	mod.Get("/", mp.Queue)
	mod.Get("/comment", mp.Comment)
	mod.Post("/comment", mp.Moderate)
}

// surveyAdminRoutes are the admins' survey screens: versions, drafts,
// previews, publishing and rolling back, and the names every comment is
// checked for.
func (s *Server) surveyAdminRoutes(app *fiber.App) {
	if s.surveyAdm == nil {
		return
	}
	st, sa := s.staff, s.surveyAdm
	admin := st.RequireRole(accounts.RoleAdmin)
	app.Get(surveyadmin.NamesPath, st.Area, st.LoadSession, admin, st.CheckCSRF, sa.NamesForm)
	app.Post(surveyadmin.NamesPath, st.Area, st.LoadSession, admin, st.CheckCSRF, sa.SaveNames)
	app.Get(surveyadmin.NoticePath, st.Area, st.LoadSession, admin, st.CheckCSRF, sa.NoticeForm)
	app.Post(surveyadmin.NoticePath, st.Area, st.LoadSession, admin, st.CheckCSRF, sa.SaveNotice)
	adm := app.Group("/admin/surveys", st.Area, st.LoadSession, admin, st.CheckCSRF)
	adm.Get("/", sa.List)
	adm.Get("/drafts/:id", sa.Preview) // before /:service: one parameter keeps a hostile URL short
	adm.Get("/drafts/:id/phone", sa.Phone)
	adm.Get("/drafts/:id/publish", sa.ConfirmPublish)
	adm.Post("/drafts/:id/publish", sa.Publish)
	adm.Get("/:service", sa.Service)
	adm.Get("/:service/export.json", sa.Export)
	adm.Get("/:service/compare", sa.Compare)
	adm.Get("/:service/rollback", sa.ConfirmRollback)
	adm.Post("/:service/rollback", sa.Rollback)
	adm.Get("/:service/draft", sa.DraftForm)
	adm.Post("/:service/draft", sa.DraftSubmit)
}
