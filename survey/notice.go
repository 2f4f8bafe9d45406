package survey

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/feedback-service/feedback/field"
)

// The privacy notice's facts (who the controller is, how to reach the data
// protection officer, the lawful basis, how long results are kept) are a
// setting admins keep on screen, a document beside the practitioners' names.
// The words around them are the survey pages' own, in English and Welsh.
const privacyNoticeID = "privacy_notice"

// LawfulBasis is the UK GDPR Article 6(1) basis the service relies on.
type LawfulBasis string

// The two bases a health service's feedback survey can rest on.
const (
	// PublicTask is Article 6(1)(e): a task in the public interest.
	PublicTask LawfulBasis = "public-task"
	// LegitimateInterests is Article 6(1)(f).
	LegitimateInterests LawfulBasis = "legitimate-interests"
)

// Form fields of the privacy notice's settings.
const (
	NoticeControllerField = "controller"
	NoticeAddressField    = "address"
	NoticeDPOField        = "dpo"
	NoticeBasisField      = "basis"
	NoticeRetentionField  = "retention"
)

// Limits of the privacy notice's settings.
const (
	maxControllerLength = 120
	maxAddressLength    = 300
	maxDPOLength        = 200
	// MaxRetentionYears bounds how long results may be said to be kept.
	MaxRetentionYears = 50
)

// PrivacyNotice is what the privacy notice says that only the organisation
// can know. An empty field (0 years) is unset: the public page says something
// neutral in its place and the admins' page says it is missing.
type PrivacyNotice struct {
	Controller     string      `bson:"controller"`
	Address        string      `bson:"address"` // lines separated by "\n"
	DPO            string      `bson:"dpo"`     // how to reach the data protection officer
	Basis          LawfulBasis `bson:"basis"`
	RetentionYears int         `bson:"retention_years"`
	Month          string      `bson:"month"` // when it was last saved; the audit log has the moment
	By             string      `bson:"by"`
}

// Complete reports whether every fact of the notice is set.
func (n PrivacyNotice) Complete() bool {
	return n.Controller != "" && n.Address != "" && n.DPO != "" && n.Basis != "" && n.RetentionYears > 0
}

// Unset names the facts not set yet, in the order the notice gives them.
func (n PrivacyNotice) Unset() []string {
	var out []string
	for _, f := range []struct {
		unset bool
		name  string
	}{
		{n.Controller == "", "the controller"}, {n.Address == "", "its address"}, {n.DPO == "", "the data protection officer"},
		{n.Basis == "", "the lawful basis"}, {n.RetentionYears == 0, "how long results are kept"},
	} {
		if f.unset {
			out = append(out, f.name)
		}
	}
	return out
}

// AddressLines is the address one line at a time.
func (n PrivacyNotice) AddressLines() []string {
	if n.Address == "" {
		return nil
	}
	return strings.Split(n.Address, "\n")
}

type privacyNoticeDoc struct {
	ID            string `bson:"_id"`
	PrivacyNotice `bson:",inline"`
}

// PrivacyNotice returns the notice's settings; the zero notice when nobody
// has saved any.
func (l *Library) PrivacyNotice(ctx context.Context) (PrivacyNotice, error) {
	var doc privacyNoticeDoc
	if err := l.readSetting(ctx, privacyNoticeID, &doc); err != nil {
		return PrivacyNotice{}, fmt.Errorf("read privacy notice: %w", err)
	}
	return doc.PrivacyNotice, nil
}

// SetPrivacyNotice replaces the notice's settings with n, cleaned by
// CleanPrivacyNotice (a field.Errors naming each field that breaks a rule).
// by is the admin's e-mail.
func (l *Library) SetPrivacyNotice(ctx context.Context, n PrivacyNotice, by string) error {
	clean, err := CleanPrivacyNotice(n)
	if err != nil {
		return err
	}
	clean.Month, clean.By = Month(l.now()), by
	doc := privacyNoticeDoc{ID: privacyNoticeID, PrivacyNotice: clean}
	if err := l.writeSetting(ctx, privacyNoticeID, doc); err != nil {
		return fmt.Errorf("save privacy notice: %w", err)
	}
	return nil
}

// ParseRetentionYears reads the retention field: empty is unset (0).
func ParseRetentionYears(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1 || y > MaxRetentionYears {
		return 0, field.Errors{{Field: NoticeRetentionField,
			Message: fmt.Sprintf("Enter the number of years results are kept, a whole number from 1 to %d, or leave it empty", MaxRetentionYears)}}
	}
	return y, nil
}

// CleanPrivacyNotice trims each field (the address keeps its lines, without
// blank ones) and checks its length and the basis. Every field may be empty.
func CleanPrivacyNotice(n PrivacyNotice) (PrivacyNotice, error) {
	var problems field.Errors
	out := PrivacyNotice{Basis: n.Basis, RetentionYears: n.RetentionYears}
	out.Controller = oneLine(n.Controller)
	checkPlain(&problems, NoticeControllerField, "The organisation's name", out.Controller, maxControllerLength)
	var lines []string
	for _, line := range strings.Split(strings.ReplaceAll(n.Address, "\r\n", "\n"), "\n") {
		if line = oneLine(line); line != "" {
			lines = append(lines, line)
		}
	}
	out.Address = strings.Join(lines, "\n")
	checkPlain(&problems, NoticeAddressField, "The address", out.Address, maxAddressLength)
	if len(lines) > 8 {
		problems.Add(NoticeAddressField, "The address has more than 8 lines")
	}
	out.DPO = oneLine(n.DPO)
	checkPlain(&problems, NoticeDPOField, "The data protection officer's contact", out.DPO, maxDPOLength)
	switch out.Basis {
	case "", PublicTask, LegitimateInterests:
	default:
		problems.Add(NoticeBasisField, "Choose public task or legitimate interests, or neither for now")
	}
	if out.RetentionYears < 0 || out.RetentionYears > MaxRetentionYears {
		problems.Add(NoticeRetentionField, fmt.Sprintf("Results are kept from 1 to %d years", MaxRetentionYears))
	}
	if len(problems) > 0 {
		return PrivacyNotice{}, problems
	}
	return out, nil
}

// oneLine trims s and folds its runs of spaces into one.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkPlain adds a problem when plain text s is longer than max characters
// or holds a control character other than a line break.
func checkPlain(problems *field.Errors, name, what, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		problems.Add(name, fmt.Sprintf("%s is %d characters; at most %d", what, n, max))
		return
	}
	for _, r := range s {
		if r != '\n' && unicode.IsControl(r) {
			problems.Add(name, what+" has a control character in it")
			return
		}
	}
}
