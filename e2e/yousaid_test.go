package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/survey"
)

// fillNoticeAndYouSaid sets part of the privacy notice (the data protection
// officer and the address left unset, so the public notice shows its
// fallback beside the facts set, and the admins' page what is missing), and
// three months of counselling's "You said, we did", one only in English.
func fillNoticeAndYouSaid(t *testing.T, srv *apitest.Server) {
	t.Helper()
	ctx := context.Background()
	notice := survey.PrivacyNotice{Controller: "Practitioner Support Service CIC", Basis: survey.PublicTask, RetentionYears: 6}
	if err := srv.Library.SetPrivacyNotice(ctx, notice, "admin@example.org"); err != nil {
		t.Fatal(err)
	}
	now := clocktest.Wall().UTC()
	for n, e := range []survey.YouSaid{
		{English: "You told us evenings were hard to reach us. We added two counsellors from 6pm to 10pm on weekdays.",
			Welsh: "Dywedoch wrthym ei bod yn anodd cael gafael arnom gyda'r nos. Rydym wedi ychwanegu dau gwnselydd rhwng 6pm a 10pm yn ystod yr wythnos."},
		{English: "You said waiting on hold felt long. We now offer a call back within a day instead of waiting on the line."},
		{English: "You asked for sessions by video. Video sessions can now be booked for any appointment.",
			Welsh: "Gofynnoch am sesiynau fideo. Gellir trefnu sesiynau fideo ar gyfer unrhyw apwyntiad erbyn hyn."},
	} {
		e.Month = survey.Month(time.Date(now.Year(), now.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC))
		if err := srv.Library.SaveYouSaid(ctx, "counselling", e, "lead@example.org"); err != nil {
			t.Fatal(err)
		}
	}
}
