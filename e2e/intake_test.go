package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/intake"
)

// records are the intake records a test's pages show: a counsellor, a peer
// supporter, and one caller with one open contact.
type records struct {
	Counsellor, PeerSupporter intake.Practitioner
	Person                    intake.Person
	Contact                   intake.Contact
}

// caller is the person the stored contact is about, as a call handler finds them.
var caller = intake.NewContact{
	Service: intake.Counselling, Channel: intake.Phone, Role: intake.Doctor, FeedbackAgreed: true,
	Name: "Jordan Reeve", DateOfBirth: "1979-11-05", Phone: "07700 900321",
	Email: "jordan.reeve@example.com", Postcode: "M1 1AE", Organisation: "Northern Care NHS Trust",
}

// addPractitioners adds one active counsellor and one active peer supporter,
// so callers of either service can be routed.
func addPractitioners(t *testing.T, srv *apitest.Server) (counsellor, peer intake.Practitioner) {
	t.Helper()
	add := func(d intake.PractitionerDetails) intake.Practitioner {
		p, err := srv.Intake.AddPractitioner(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	counsellor = add(intake.PractitionerDetails{Name: "Dr Casey Counsellor", Kind: intake.Counsellor, Active: true, WeeklyCapacity: 10})
	peer = add(intake.PractitionerDetails{Name: "Dr Pat Peer", Kind: intake.PeerSupporter, Phone: "07700 900999", Active: true, WeeklyCapacity: 8})
	return counsellor, peer
}

// fillIntake stores the practitioners and the caller's open contact.
func fillIntake(t *testing.T, srv *apitest.Server) records {
	t.Helper()
	var r records
	r.Counsellor, r.PeerSupporter = addPractitioners(t, srv)
	opened, err := srv.Intake.OpenContact(context.Background(), caller)
	if err != nil {
		t.Fatal(err)
	}
	r.Person, r.Contact = opened.Person, opened.Contact
	return r
}

// answerRisk answers the form's first question, immediate risk, and goes on
// to the rest of the form.
func answerRisk(t *testing.T, ctx context.Context, atRisk bool) {
	t.Helper()
	answerFirstStep(t, ctx, atRisk, "")
}

// answerFirstStep answers the first step, immediate risk and (when not
// empty) the service, and goes on to the rest of the form.
func answerFirstStep(t *testing.T, ctx context.Context, atRisk bool, service intake.ServiceType) {
	t.Helper()
	label := `label[for="risk-no"]`
	if atRisk {
		label = `label[for="risk"]`
	}
	do(t, ctx, "answer immediate risk", chromedp.Click(chromedp.CSS(label)))
	if service != "" {
		do(t, ctx, "choose the service", chromedp.Click(chromedp.CSS(`input[name="service"][value="`+string(service)+`"]`)))
	}
	do(t, ctx, "continue", chromedp.Click(chromedp.CSS(sendForm)), chromedp.WaitVisible(chromedp.ID("name")))
}

// fillContactForm answers the risk question, then fills in the new-contact
// form as a call handler does: a click on each choice, a click in each box and
// typing. Choices left empty in n are left unanswered.
func fillContactForm(t *testing.T, ctx context.Context, n intake.NewContact) {
	t.Helper()
	answerFirstStep(t, ctx, n.Risk, n.Service)
	service := string(n.Service)
	if !n.Risk {
		service = "" // chosen at the first step
	}
	for _, c := range []struct{ name, value string }{
		{"service", service}, {"channel", string(n.Channel)}, {"role", string(n.Role)}, {"postcode_missing", n.PostcodeMissing},
	} {
		if c.value != "" {
			do(t, ctx, "choose "+c.name, chromedp.Click(chromedp.CSS(`input[name="`+c.name+`"][value="`+c.value+`"]`)))
		}
	}
	day, month, year := intake.SplitDate(n.DateOfBirth)
	for _, f := range []struct{ id, value string }{
		{"name", n.Name}, {"date_of_birth", day}, {"date_of_birth-month", month}, {"date_of_birth-year", year}, {"phone", n.Phone}, {"email", n.Email},
		{"postcode", n.Postcode}, {"organisation", n.Organisation}, {"address", n.Address}, {"job_role", n.JobRole},
	} {
		if f.value != "" {
			do(t, ctx, "write "+f.id, chromedp.Click(chromedp.ID(f.id)), typeKeys(f.value))
		}
	}
	for _, b := range []struct {
		id   string
		tick bool
	}{{"same_counsellor", n.SameCounsellor}, {"feedback_agreed", n.FeedbackAgreed}} {
		if b.tick {
			do(t, ctx, "tick "+b.id, chromedp.Click(chromedp.CSS(`label[for="`+b.id+`"]`)))
		}
	}
}

// text is the text of the element sel, failing the test if there is none.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// A call handler takes a counselling caller from a new contact to closed,
// by clicking and typing at a desktop, then finds them again.
func TestIntake_ContactFromNewToClosedThenFindThePerson(t *testing.T) {
	srv := apitest.New(t)
	counsellor, _ := addPractitioners(t, srv)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)

	do(t, ctx, "open a new contact", chromedp.Navigate(srv.URL+"/staff"), chromedp.Click(chromedp.CSS(`main a[href="/intake/contacts/new"]`)))
	fillContactForm(t, ctx, caller)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sendForm)))
	if err != nil || resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/intake/contacts/") {
		t.Fatalf("open the contact: landed on %+v, %v", resp, err)
	}
	contactID := resp.URL[strings.LastIndex(resp.URL, "/")+1:]
	routing := text(t, ctx, "#routing")
	for _, want := range []string{"Routed to " + counsellor.Name + ".", "the active counsellor with the most free capacity this week"} {
		if !strings.Contains(routing, want) {
			t.Errorf("routing %q does not say %q", routing, want)
		}
	}

	const outcome = "First session booked for Thursday"
	do(t, ctx, "write the outcome", chromedp.Click(chromedp.ID("outcome")), typeKeys(outcome))
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/intake/contacts/"+contactID)
	if s := text(t, ctx, "#survey-text"); !strings.Contains(s, "Contact closed. The survey text is queued") {
		t.Errorf("after closing: %q", s)
	}
	screenshot(t, ctx, "contact-closed", desktop)
	checkAccessible(t, ctx, "closed contact")

	// What the browser did is what the store holds: the contact, closed, and one text to send.
	c, err := srv.Intake.Contact(context.Background(), contactID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Service != intake.Counselling || c.PractitionerID != counsellor.ID || !c.FeedbackAgreed || c.Risk ||
		c.ClosedAt == nil || c.Outcome != outcome || c.SurveyText != intake.TextQueued {
		t.Errorf("stored contact %+v", c)
	}
	p, err := srv.Intake.Person(context.Background(), c.PersonID)
	if err != nil || p.Name != caller.Name || p.DateOfBirth != caller.DateOfBirth || p.Postcode != caller.Postcode || p.CounsellingSessions != 1 {
		t.Errorf("stored person %+v, %v", p, err)
	}
	if n, err := srv.Store.Database(intake.Database).Collection("outbox").CountDocuments(context.Background(), bson.D{}); err != nil || n != 1 {
		t.Errorf("outbox holds %d entries (%v), want 1", n, err)
	}

	// Later, the caller rings again.
	do(t, ctx, "open find a person", chromedp.Navigate(srv.URL+"/staff"), chromedp.Click(chromedp.CSS(`main a[href="/intake/people"]`)))
	do(t, ctx, "write the name", chromedp.Click(chromedp.ID("name")), typeKeys(caller.Name))
	do(t, ctx, "write the date of birth", chromedp.Click(chromedp.ID("dob")), typeKeys("5"),
		chromedp.Click(chromedp.ID("dob-month")), typeKeys("11"), chromedp.Click(chromedp.ID("dob-year")), typeKeys("1979"))
	do(t, ctx, "write the phone number", chromedp.Click(chromedp.ID("phone")), typeKeys(caller.Phone))
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/intake/people?name=Jordan+Reeve&dob-day=5&dob-month=11&dob-year=1979&phone=07700+900321&email=")
	if h := text(t, ctx, "#results"); h != "1 record matches" {
		t.Fatalf("results: %q", h)
	}
	submit(t, ctx, chromedp.Click(chromedp.CSS(`main td a[href="/intake/people/`+p.ID+`"]`)), http.StatusOK, "/intake/people/"+p.ID)
	if h1 := text(t, ctx, "h1"); h1 != caller.Name {
		t.Errorf("history heading %q", h1)
	}
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll('.scroll tbody tr')].map(r => r.innerText.replace(/\s+/g, ' '))`)
	if len(rows) != 1 || !strings.Contains(rows[0], counsellor.Name) || !strings.Contains(rows[0], outcome) {
		t.Errorf("history rows %q, want the one closed contact", rows)
	}
}

// guidanceOnScreen reads the emergency guidance, and whether it is on screen.
func guidanceOnScreen(t *testing.T, ctx context.Context) (bool, string) {
	t.Helper()
	g := eval[struct {
		Shown bool   `json:"shown"`
		Text  string `json:"text"`
	}](t, ctx, `(() => {
		const g = document.getElementById('risk-guidance');
		if (!g) return {shown: false, text: ''};
		const r = g.getBoundingClientRect();
		return {shown: r.height > 0 && r.top < innerHeight && getComputedStyle(g).visibility === 'visible', text: g.innerText};
	})()`)
	return g.Shown, g.Text
}

// A caller at immediate risk who gives no postcode: "yes" to the first
// question brings the guidance on screen at once (no script), and the contact
// is recorded at once, nothing else refused (issue 32): the postcode is
// listed as a detail to ask when the caller can answer, with a link to
// complete it.
func TestIntake_RiskWithoutPostcodeIsRecordedAndThePostcodeAskedLater(t *testing.T) {
	srv := apitest.New(t)
	addPractitioners(t, srv)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)
	do(t, ctx, "open a new contact", chromedp.Navigate(srv.URL+"/intake/contacts/new"))
	answerRisk(t, ctx, true)
	if shown, text := guidanceOnScreen(t, ctx); !shown || !strings.Contains(text, "call 999 now") || !strings.Contains(text, "What to record") {
		t.Fatalf("guidance on screen %v: %q", shown, text)
	}
	screenshot(t, ctx, "contact-new-at-risk", desktop)
	n := caller
	n.Postcode = ""
	do(t, ctx, "reload the form", chromedp.Navigate(srv.URL+"/intake/contacts/new"))
	fillContactForm(t, ctx, func() intake.NewContact { m := n; m.Risk = true; return m }())
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/intake/contacts/")
	if shown, _ := guidanceOnScreen(t, ctx); !shown {
		t.Error("no guidance on the contact page")
	}
	if d := text(t, ctx, "#incomplete"); !strings.Contains(d, "Incomplete") || !strings.Contains(strings.ToLower(d), "postcode") {
		t.Errorf("the contact does not say the postcode is still to ask: %q", d)
	}
	checkAccessible(t, ctx, "contact-at-risk-incomplete")
	screenshot(t, ctx, "contact-at-risk-incomplete", desktop)
}

// A 15-year-old at immediate risk: the rules refuse them, but the contact is
// recorded, with the refusal, the signpost and the guidance on its page.
func TestIntake_RefusedCallerAtRiskIsRecorded(t *testing.T) {
	srv := apitest.New(t)
	addPractitioners(t, srv)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)
	do(t, ctx, "open a new contact", chromedp.Navigate(srv.URL+"/intake/contacts/new"))
	n := caller
	n.Risk, n.Postcode, n.PostcodeMissing, n.DateOfBirth = true, "", "unknown", "2012-01-01"
	fillContactForm(t, ctx, n)
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "")
	if r := text(t, ctx, "#refusal"); !strings.Contains(r, "Childline") {
		t.Errorf("refusal %q", r)
	}
	if shown, _ := guidanceOnScreen(t, ctx); !shown {
		t.Error("no guidance on the refused contact's page")
	}
	screenshot(t, ctx, "contact-refused-at-risk", desktop)
	checkAccessible(t, ctx, "refused at risk")
	var c intake.Contact
	err := srv.Store.Database(intake.Database).Collection("contacts").FindOne(context.Background(), bson.D{}).Decode(&c)
	if err != nil || c.Refusal == nil || !c.Risk || c.PractitionerID != "" || c.PostcodeMissing != "unknown" {
		t.Errorf("stored %+v, %v", c, err)
	}
}

// "999 called; ambulance dispatched": closing says no survey text follows, and none is queued.
func TestIntake_999ThenNoSurveyText(t *testing.T) {
	srv := apitest.New(t)
	addPractitioners(t, srv)
	n := caller
	n.Risk = true
	opened, err := srv.Intake.OpenContact(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)
	do(t, ctx, "open the contact", chromedp.Navigate(srv.URL+"/intake/contacts/"+opened.Contact.ID))
	do(t, ctx, "write the outcome", chromedp.Click(chromedp.ID("outcome")), typeKeys("999 called; ambulance dispatched"))
	do(t, ctx, "tick emergency", chromedp.Click(chromedp.CSS(`label[for="emergency"]`)))
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "/intake/contacts/"+opened.Contact.ID)
	if s := text(t, ctx, "#survey-text"); !strings.Contains(s, "No survey text: emergency services were called") {
		t.Errorf("after closing: %q", s)
	}
	if n, err := srv.Store.Database(intake.Database).Collection("outbox").CountDocuments(context.Background(), bson.D{}); err != nil || n != 0 {
		t.Errorf("outbox holds %d entries (%v), want none", n, err)
	}
}

// signInAs adds a staff member with this e-mail and role and signs them in.
func signInAs(t *testing.T, ctx context.Context, srv *apitest.Server, email string, role accounts.Role) {
	t.Helper()
	srv.AddStaff(t, email, role)
	do(t, ctx, "open the sign-in form", chromedp.Navigate(srv.URL+"/login"))
	resp, err := chromedp.RunResponse(ctx,
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), apitest.StaffPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	if err != nil || resp.Status != http.StatusOK || strings.Contains(resp.URL, "/login") {
		t.Fatalf("sign in as %s: %v %+v", role, err, resp)
	}
}

// Peer support from the details given to the survey text: nothing is sent at
// intake; the peer supporter, signed in with a peer account, records the
// first conversation by date, and the text then goes.
func TestIntake_PeerSupportSurveyGoesAfterTheFirstConversation(t *testing.T) {
	srv := apitest.New(t)
	ctx0 := context.Background()
	const peerEmail = "pat.peer@example.nhs.uk"
	if _, err := srv.Intake.AddPractitioner(ctx0, intake.PractitionerDetails{Name: "Dr Pat Peer", Kind: intake.PeerSupporter,
		Phone: "07700 900999", Active: true, WeeklyCapacity: 8, AccountEmail: peerEmail}); err != nil {
		t.Fatal(err)
	}
	n := intake.NewContact{Service: intake.PeerSupport, Channel: intake.Phone, Role: intake.Doctor, FeedbackAgreed: true,
		Name: "Robin Okafor", DateOfBirth: "1990-06-01", Phone: "07700 900654", Address: "2 Mill Lane, York", JobRole: "GP registrar"}
	opened, err := srv.Intake.OpenContact(ctx0, n)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := srv.Intake.CloseContact(ctx0, opened.Contact.ID, "Dr Pat Peer's number given"); err != nil || c.SurveyText != intake.TextAfterConversation {
		t.Fatalf("closed: %v %v", c.SurveyText, err)
	}
	sender := &recordedTexts{}
	outbox, err := intake.NewOutbox(srv.Intake, sender, nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := outbox.ProcessDue(ctx0); res.Sent != 0 {
		t.Fatalf("a text went at intake: %+v", res)
	}

	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signInAs(t, ctx, srv, peerEmail, accounts.RolePeer)
	do(t, ctx, "open the staff home", chromedp.Navigate(srv.URL+"/staff"))
	submit(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/peer"]`)), http.StatusOK, "/peer")
	submit(t, ctx, chromedp.Click(chromedp.CSS(`main td a[href="/peer/contacts/`+opened.Contact.ID+`"]`)), http.StatusOK, "/peer/contacts/"+opened.Contact.ID)
	today := srv.Intake.Now().In(srv.Intake.Location)
	do(t, ctx, "write the day", chromedp.Click(chromedp.ID("on")), typeKeys(today.Format("2")))
	do(t, ctx, "write the month", chromedp.Click(chromedp.ID("on-month")), typeKeys(today.Format("1")))
	do(t, ctx, "write the year", chromedp.Click(chromedp.ID("on-year")), typeKeys(today.Format("2006")))
	submit(t, ctx, chromedp.Click(chromedp.ID("record-conversation")), http.StatusOK, "/peer/contacts/"+opened.Contact.ID)
	if rec := text(t, ctx, "#peer-record"); !strings.Contains(rec, today.Format("2 January 2006")) || !strings.Contains(rec, "Yes, on") {
		t.Errorf("peer record %q", rec)
	}
	screenshot(t, ctx, "peer-contact", desktop)
	checkAccessible(t, ctx, "peer contact")
	if res, err := outbox.ProcessDue(ctx0); err != nil || res.Sent != 1 || len(sender.to) != 1 {
		t.Errorf("after the first conversation: %+v %v", res, err)
	}
}

// recordedTexts stands in for an SMS gateway.
type recordedTexts struct{ to []string }

func (r *recordedTexts) Send(_ context.Context, to, _ string) error {
	r.to = append(r.to, to)
	return nil
}

// A patient-safety concern through to the GMC, recorded by the peer supporter
// on their own caller's page, step by step with the keyboard and mouse.
func TestIntake_PatientSafetyConcernThroughToTheGMC(t *testing.T) {
	srv := apitest.New(t)
	ctx0 := context.Background()
	const peerEmail = "sam.safety@example.nhs.uk"
	if _, err := srv.Intake.AddPractitioner(ctx0, intake.PractitionerDetails{Name: "Dr Sam Safety", Kind: intake.PeerSupporter,
		Phone: "07700 900998", Active: true, WeeklyCapacity: 8, AccountEmail: peerEmail}); err != nil {
		t.Fatal(err)
	}
	opened, err := srv.Intake.OpenContact(ctx0, intake.NewContact{Service: intake.PeerSupport, Channel: intake.Phone, Role: intake.Doctor,
		Name: "Lee Grant", DateOfBirth: "1975-02-14", Phone: "07700 900655", Address: "3 Quay St, Bristol", JobRole: "Consultant surgeon"})
	if err != nil {
		t.Fatal(err)
	}
	page := "/peer/contacts/" + opened.Contact.ID
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signInAs(t, ctx, srv, peerEmail, accounts.RolePeer)
	do(t, ctx, "open the caller", chromedp.Navigate(srv.URL+page))
	today := srv.Intake.Now().In(srv.Intake.Location)
	date := func() {
		do(t, ctx, "write the date", chromedp.Click(chromedp.ID("safety_on")), typeKeys(today.Format("2")),
			chromedp.Click(chromedp.ID("safety_on-month")), typeKeys(today.Format("1")),
			chromedp.Click(chromedp.ID("safety_on-year")), typeKeys(today.Format("2006")))
	}
	do(t, ctx, "describe the concern", chromedp.Click(chromedp.ID("concern")), typeKeys("Operating while unwell"))
	date()
	submit(t, ctx, chromedp.Click(chromedp.ID("raise-concern")), http.StatusOK, page)
	// The GMC first is refused on the page, saying the order.
	do(t, ctx, "choose gmc first", chromedp.Click(chromedp.CSS(`input[name="kind"][value="gmc"]`)))
	date()
	do(t, ctx, "fill in gmc", chromedp.Click(chromedp.CSS(`label[for="gmc_contacted"]`)), chromedp.Click(chromedp.ID("reason")), typeKeys("Worried"))
	submit(t, ctx, chromedp.Click(chromedp.ID("record-safety-step")), http.StatusUnprocessableEntity, page)
	if s := text(t, ctx, ".error-summary"); !strings.Contains(s, "Record first that the caller was encouraged to seek help") ||
		!strings.Contains(s, "only then is the GMC contacted") {
		t.Errorf("out of order: %q", s)
	}
	screenshot(t, ctx, "peer-safety-gmc-first-refused", desktop)
	checkAccessible(t, ctx, "GMC first refused")
	do(t, ctx, "open the caller again", chromedp.Navigate(srv.URL+page))
	for _, step := range []struct {
		kind  string
		extra chromedp.Action[chromedp.Void]
	}{
		{"encouraged", nil},
		{"advice", chromedp.Steps(chromedp.Click(chromedp.ID("from")), typeKeys("Medical director"))},
		{"gmc", chromedp.Steps(chromedp.Click(chromedp.CSS(`label[for="gmc_contacted"]`)), chromedp.Click(chromedp.ID("reason")), typeKeys("Still operating after advice"))},
	} {
		do(t, ctx, "choose "+step.kind, chromedp.Click(chromedp.CSS(`input[name="kind"][value="`+step.kind+`"]`)))
		date()
		if step.extra != nil {
			do(t, ctx, "fill in "+step.kind, step.extra)
		}
		submit(t, ctx, chromedp.Click(chromedp.ID("record-safety-step")), http.StatusOK, page)
	}
	rec := text(t, ctx, "#safety-record")
	for _, want := range []string{"Operating while unwell", "encouraged", "from Medical director", "GMC contacted", "yes", "Still operating after advice"} {
		if !strings.Contains(rec, want) {
			t.Errorf("safety record %q lacks %q", rec, want)
		}
	}
	screenshot(t, ctx, "peer-safety-concern", desktop)
	checkAccessible(t, ctx, "safety concern")
}

// A dependant is linked to the doctor who makes them eligible, starting from
// the doctor's record.
func TestIntake_DependantLinkedToTheMember(t *testing.T) {
	srv := apitest.New(t)
	r := fillIntake(t, srv)
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)
	do(t, ctx, "open the member's history", chromedp.Navigate(srv.URL+"/intake/people/"+r.Person.ID))
	submit(t, ctx, chromedp.Click(chromedp.ID("new-for-family")), http.StatusOK, "/intake/contacts/new?member="+r.Person.ID)
	n := intake.NewContact{Service: intake.Counselling, Channel: intake.Phone, Role: intake.Dependant,
		Name: "Alex Reeve", DateOfBirth: "2005-03-03", Phone: "07700 900432", Organisation: "University of Leeds"}
	fillContactForm(t, ctx, n)
	do(t, ctx, "choose a specialty", chromedp.SetValue(chromedp.ID("specialty"), "not-applicable"))
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusOK, "")
	do(t, ctx, "open the dependant's history", chromedp.Click(chromedp.CSS(`main a[href^="/intake/people/"]`)), chromedp.WaitVisible(chromedp.ID("member")))
	if m := text(t, ctx, "#member"); m != caller.Name {
		t.Errorf("member shown as %q, want %q", m, caller.Name)
	}
	screenshot(t, ctx, "person-dependant", desktop)
	checkAccessible(t, ctx, "dependant's history")
}

// A returning caller rings from a new number and asks for the same
// counsellor: the new contact warns of their record, and attached to it the
// contact keeps their session count and their counsellor.
func TestIntake_ReturningCallerFromANewNumberKeepsCountAndCounsellor(t *testing.T) {
	srv := apitest.New(t)
	r := fillIntake(t, srv) // session 1 with Dr Casey Counsellor
	if _, err := srv.Intake.AddPractitioner(context.Background(), intake.PractitionerDetails{Name: "Dr Abe Another",
		Kind: intake.Counsellor, Active: true, WeeklyCapacity: 50}); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	do(t, ctx, "emulate a desktop", desktop.emulate())
	signIn(t, ctx, srv, accounts.RoleIntake)
	do(t, ctx, "open a new contact", chromedp.Navigate(srv.URL+"/intake/contacts/new"))
	n := caller
	n.Phone, n.Email, n.SameCounsellor, n.FeedbackAgreed = "07700 900888", "", true, false
	fillContactForm(t, ctx, n)
	submit(t, ctx, chromedp.Click(chromedp.CSS(sendForm)), http.StatusConflict, "/intake/contacts/new")
	if w := text(t, ctx, "#matches"); !strings.Contains(w, caller.Name) || !strings.Contains(w, "1 of 6") {
		t.Fatalf("warning %q", w)
	}
	screenshot(t, ctx, "contact-new-likely-match", desktop)
	checkAccessible(t, ctx, "likely match")
	submit(t, ctx, chromedp.Click(chromedp.ID("attach-"+r.Person.ID)), http.StatusConflict, "/intake/contacts/new")
	// The new number differs from the record's: the handler chooses to use it.
	if d := text(t, ctx, "#differences"); !strings.Contains(d, "07700 900321") || !strings.Contains(d, "07700 900888") {
		t.Fatalf("differences %q", d)
	}
	do(t, ctx, "use the new number", chromedp.Click(chromedp.CSS(`label[for="keep_phone-new"]`)))
	submit(t, ctx, chromedp.Click(chromedp.ID("keep-chosen")), http.StatusOK, "")
	if s := text(t, ctx, "table.details"); !strings.Contains(s, "session 2 of 6") {
		t.Errorf("contact %q, want session 2 of 6", s)
	}
	if routing := text(t, ctx, "#routing"); !strings.Contains(routing, r.Counsellor.Name+" again") {
		t.Errorf("routing %q, want the same counsellor", routing)
	}
	p, _ := srv.Intake.Person(context.Background(), r.Person.ID)
	if p.Phone != "+447700900888" || p.CounsellingSessions != 2 {
		t.Errorf("person %+v", p)
	}
}
