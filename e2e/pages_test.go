package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
)

// A screen is one page a person can see. Each is checked by axe-core and for
// sideways scrolling, and photographed at phone and desktop widths; a new page
// is one line here.
type screen struct {
	name string // names its screenshots: <name>-<width>.png
	// path is where the browser goes; {person}, {contact} and {practitioner}
	// stand for the ids of the stored intake records, {invitation} for a
	// survey text's invitation.
	path   string
	then   chromedp.Action[chromedp.Void] // if set, done on that page to reach the screen, e.g. sending a form
	status int                            // the HTTP status the screen arrives with
	// signIn, if set, is the role of a staff member who signs in first.
	signIn accounts.Role
}

var screens = []screen{
	{name: "survey-counselling", path: "/s/counselling", status: http.StatusOK},
	{name: "survey-peer-support", path: "/s/peer-support", status: http.StatusOK},
	{name: "survey-errors", path: "/s/counselling", then: chromedp.Click(chromedp.CSS(`button[type=submit]`)), status: http.StatusUnprocessableEntity},
	{name: "thanks", path: "/s/counselling/thanks", status: http.StatusOK},
	{name: "survey-invited", path: "/i/{invitation}", status: http.StatusOK},
	{name: "invitation-broken", path: "/i/not-a-whole-link", status: http.StatusNotFound},
	{name: "not-found", path: "/no-such-page", status: http.StatusNotFound},
	{name: "privacy", path: "/s/counselling/privacy", status: http.StatusOK},
	// The service users' pages in Welsh.
	{name: "cy-survey-counselling", path: "/s/counselling?lang=cy", status: http.StatusOK},
	{name: "cy-survey-peer-support", path: "/s/peer-support?lang=cy", status: http.StatusOK},
	{name: "cy-survey-errors", path: "/s/counselling?lang=cy", then: chromedp.Click(chromedp.CSS(`button[type=submit]`)), status: http.StatusUnprocessableEntity},
	{name: "cy-thanks", path: "/s/counselling/thanks?lang=cy", status: http.StatusOK},
	{name: "cy-survey-invited", path: "/i/{invitation}?lang=cy", status: http.StatusOK},
	{name: "cy-invitation-broken", path: "/i/not-a-whole-link?lang=cy", status: http.StatusNotFound},
	{name: "cy-not-found", path: "/s/no-such-survey?lang=cy", status: http.StatusNotFound},
	{name: "cy-privacy", path: "/s/counselling/privacy?lang=cy", status: http.StatusOK},
	{name: "accessibility", path: "/accessibility", status: http.StatusOK},
	{name: "cy-accessibility", path: "/accessibility?lang=cy", status: http.StatusOK},
	{name: "you-said-we-did", path: "/s/counselling/you-said-we-did", status: http.StatusOK},
	{name: "cy-you-said-we-did", path: "/s/counselling/you-said-we-did?lang=cy", status: http.StatusOK},
	{name: "you-said-we-did-none", path: "/s/peer-support/you-said-we-did", status: http.StatusOK},
	{name: "you-said-write", path: "/dashboards/counselling/you-said-we-did", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "you-said-write-errors", path: "/dashboards/peer-support/you-said-we-did", then: chromedp.Steps(
		chromedp.Clear(chromedp.ID("month")), chromedp.Click(chromedp.CSS(sendForm))), signIn: accounts.RoleQuality, status: http.StatusUnprocessableEntity},
	{name: "you-said-index", path: "/dashboards/you-said-we-did", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "admin-privacy-notice", path: "/admin/privacy-notice", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "dashboards", path: "/dashboards", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "dashboard-counselling", path: "/dashboards/counselling", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "dashboard-peer-support", path: "/dashboards/peer-support", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "dashboard-bad-period", path: "/dashboards/counselling?from=2026-13", signIn: accounts.RoleQuality, status: http.StatusBadRequest},

	// Staff accounts.
	{name: "login", path: "/login", status: http.StatusOK},
	{name: "login-errors", path: "/login", then: chromedp.Steps(
		chromedp.SendKeys(chromedp.ID("email"), "nobody@example.nhs.uk"),
		chromedp.SendKeys(chromedp.ID("password"), "not the password"),
		chromedp.Click(chromedp.CSS(sendForm))), status: http.StatusUnprocessableEntity},
	{name: "staff-home", path: "/staff", signIn: accounts.RoleIntake, status: http.StatusOK},
	{name: "password", path: "/account/password", signIn: accounts.RoleQuality, status: http.StatusOK},
	{name: "admin-users-one-time-password", path: "/admin/users", then: addStaffMember(), signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-audit", path: "/admin/audit", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-survey-versions", path: "/admin/surveys/counselling", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-survey-compare", path: "/admin/surveys/counselling/compare?from=1&to=1", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-survey-rollback-current", path: "/admin/surveys/counselling/rollback?number=1", signIn: accounts.RoleAdmin, status: http.StatusOK},

	// Administration of intake.
	{name: "admin-practitioners", path: "/admin/practitioners", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-practitioner-edit", path: "/admin/practitioners/{practitioner}", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-people-found", path: "/admin/people?id={person}", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-people-erase", path: "/admin/people/{person}/erase", signIn: accounts.RoleAdmin, status: http.StatusOK},

	// Intake, as call handlers see it.
	{name: "contact-new", path: "/intake/contacts/new", signIn: accounts.RoleIntake, status: http.StatusOK},
	{name: "contact-new-counselling", path: "/intake/contacts/new?asked=1&risk=no&service=counselling", signIn: accounts.RoleIntake, status: http.StatusOK},
	{name: "intake-settings", path: "/admin/intake-settings", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "contact-new-errors", path: "/intake/contacts/new?risk=no", then: chromedp.Click(chromedp.CSS(sendForm)),
		signIn: accounts.RoleIntake, status: http.StatusUnprocessableEntity},
	{name: "contact-new-risk", path: "/intake/contacts/new?risk=yes", then: chromedp.Steps(
		chromedp.Click(chromedp.CSS(sendForm))), signIn: accounts.RoleIntake, status: http.StatusOK}, // recorded at once, details asked later
	{name: "contact", path: "/intake/contacts/{contact}", signIn: accounts.RoleIntake, status: http.StatusOK},
	{name: "people-find-results", path: "/intake/people?" + url.Values{"name": {caller.Name}, "dob": {caller.DateOfBirth}, "phone": {caller.Phone}}.Encode(),
		signIn: accounts.RoleIntake, status: http.StatusOK},
	{name: "person-history", path: "/intake/people/{person}", signIn: accounts.RoleIntake, status: http.StatusOK},
	{name: "intake-report", path: "/intake/report", signIn: accounts.RoleIntake, status: http.StatusOK},
	{name: "admin-merge", path: "/admin/people/merge", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "admin-safety-concerns", path: "/admin/safety-concerns", signIn: accounts.RoleAdmin, status: http.StatusOK},
	{name: "peer-home", path: "/peer", signIn: accounts.RolePeer, status: http.StatusOK},
}

// sendForm is the button that sends a page's form: the main one, not the
// "Sign out" button in the staff bar above it.
const sendForm = `main button.button`

// addStaffMember fills in and sends the form that adds a staff account, with a
// new e-mail address each time, so the page shows a one-time password.
func addStaffMember() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Steps(
			chromedp.SendKeys(chromedp.ID("email"), fmt.Sprintf("new%d@example.nhs.uk", staffSeq.Add(1))),
			chromedp.SendKeys(chromedp.ID("name"), "Robin Newcomer"),
			chromedp.Click(chromedp.CSS(`label[for=role-intake]`)),
			chromedp.Click(chromedp.CSS(sendForm)),
		)(ctx, tg)
		return err
	})
}

func TestScreens_MeetWCAG22AA(t *testing.T) {
	srv := apitest.New(t)
	fillDashboards(t, srv)
	fillNoticeAndYouSaid(t, srv)
	r := fillIntake(t, srv)
	code, err := srv.Invitations.Mint("counselling")
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.NewReplacer("{person}", r.Person.ID, "{contact}", r.Contact.ID, "{practitioner}", r.PeerSupporter.ID, "{invitation}", code)
	for _, s := range screens {
		for _, v := range []viewport{phone, desktop} {
			t.Run(s.name+"/"+v.name, func(t *testing.T) {
				t.Parallel() // tabs of their own; the browser waits on the server and vice versa
				ctx := newTab(t)
				do(t, ctx, "emulate "+v.name, v.emulate())
				if s.signIn != "" {
					signIn(t, ctx, srv, s.signIn)
				}
				resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+ids.Replace(s.path)))
				if err == nil && s.then != nil {
					resp, err = chromedp.RunResponse(ctx, s.then)
				}
				if err != nil {
					t.Fatalf("open %s: %v", s.name, err)
				}
				if resp.Status != int64(s.status) {
					t.Errorf("%s: status %d, want %d", s.name, resp.Status, s.status)
				}
				screenshot(t, ctx, s.name, v)
				checkAccessible(t, ctx, s.name+" at "+v.name+" width")
				checkReflow(t, ctx, s.name+" at "+v.name+" width")
			})
		}
	}
}
