// Package intakepages serves every screen on intake's side of the privacy
// wall: the call handlers' (the new-contact form, a contact and closing it,
// finding a returning caller and a person's history), the peer supporters',
// and the admins' (practitioners, subject access and erasure, merging two
// records, patient-safety concerns). Every record shown is audited. The rules (eligibility, routing,
// what a contact needs) live in package intake; these handlers translate.
package intakepages

import (
	"embed"
	"html/template"
	"strings"
	"time"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/intake"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages are the call handlers' screens.
type Pages struct {
	site      *web.Site
	staff     *staff.Pages
	intake    *intake.Store
	links     intake.InvitationLinks // nil: invitations are off
	templates web.Templates
}

// New parses the intake templates. Routes run staff's middleware first, so a
// handler here always has a signed-in call handler. links mints one-off survey
// links; nil when invitations are off.
func New(site *web.Site, staffPages *staff.Pages, in *intake.Store, links intake.InvitationLinks) (*Pages, error) {
	t, err := web.ParseTemplates(templateFS, template.FuncMap{"uk": ukTime(in.Location), "date": newDateInput, "choose": newSelect, "label": labeller(in.Services), "phone": intake.FormatPhone, "until": untilText(in), "day": dayText, "detail": detailText,
		"fieldName": func(f string) string { return strings.ReplaceAll(f, "_", " ") }},
		[]string{"risk", "peer_parts", "safety_parts"}, "contact_new", "contact", "contact_details", "incomplete", "intake_home", "people_find", "person", "peer", "safety_admin", "report", "merge",
		"practitioners", "practitioner", "people_admin", "person_erase", "intake_settings")
	if err != nil {
		return nil, err
	}
	// A record asked for that is not held (erased, or never was) is
	// answered the same on every screen.
	site.Answer(staff.NoRecord(intake.ErrNotFound))
	return &Pages{site: site, staff: staffPages, intake: in, links: links, templates: t}, nil
}

// Audit actions of intake's screens. The target is always a record id
// (person, contact or practitioner), never a name, number or anything else a
// person told the service.
const (
	actionPersonViewed accounts.Action = "person_viewed" // a person's record was shown
	actionPersonFound  accounts.Action = "person_found"  // a person was shown as a search candidate
	// actionPersonChanged: a contact changed details on a returning caller's record (target: the person).
	actionPersonChanged accounts.Action = "person_details_changed"
	actionRiskFlagged   accounts.Action = "risk_flagged"  // target: the contact
	actionRiskResolved  accounts.Action = "risk_resolved" // target: the contact
	// actionRefusedAtRisk: a caller the rules refuse was recorded because at risk (target: the contact).
	actionRefusedAtRisk accounts.Action = "refused_at_risk"
	actionEmergency     accounts.Action = "emergency_recorded"    // closed with emergency services called
	actionPeerRecorded  accounts.Action = "peer_support_recorded" // contact made, a conversation or the end (target: the contact)
	// Patient-safety concerns (target: the contact): raised, a step recorded, viewed by an admin.
	actionSafetyRaised accounts.Action = "safety_concern_raised"
	actionSafetyStep   accounts.Action = "safety_step_recorded"
	actionSafetyViewed accounts.Action = "safety_concern_viewed"
	// Two records of one person merged by an admin: the kept record, and the one merged into it.
	actionPersonMerged     accounts.Action = "person_merged"
	actionPersonMergedAway accounts.Action = "person_merged_away"
	// The admins' subject access, erasure and practitioner screens.
	actionPersonExported        accounts.Action = "person_exported"
	actionPersonErased          accounts.Action = "person_erased"
	actionPractitionerAdded     accounts.Action = "practitioner_added"
	actionPractitionerChanged   accounts.Action = "practitioner_changed"
	actionPractitionerActivated accounts.Action = "practitioner_activated"
	actionPractitionerStopped   accounts.Action = "practitioner_deactivated"
	// actionIntakeSettingsChanged: an admin saved intake's settings (target: "intake").
	actionIntakeSettingsChanged accounts.Action = "intake_settings_changed"
)

// untilText is a date as a handler says it, "Monday 21 December" (with the
// year when it is not this one), for "until ...".
func untilText(in *intake.Store) func(time.Time) string {
	return func(t time.Time) string {
		t = t.In(in.Location)
		if t.Year() != in.Now().In(in.Location).Year() {
			return t.Format("Monday 2 January 2006")
		}
		return t.Format("Monday 2 January")
	}
}

// ukTime formats times, stored in UTC, as the service's staff read them: in
// UK time, with GMT or BST named.
func ukTime(loc *time.Location) func(time.Time) string {
	return func(t time.Time) string { return t.In(loc).Format("2 January 2006 at 15:04 MST") }
}

// dayText shows a calendar day kept as YYYY-MM-DD as staff read it ("2 April 1985").
func dayText(date string) string {
	if date == "" {
		return "Not known yet"
	}
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.Format("2 January 2006")
}
