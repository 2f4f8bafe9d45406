package survey_test

import (
	"context"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// Issue 33.6: the privacy notice's facts are checked, kept trimmed, and every
// one may be left unset.
func TestPrivacyNotice_IsCheckedAndKept(t *testing.T) {
	lib, _, _ := newLibraryOn(t)
	ctx := context.Background()
	if n, err := lib.PrivacyNotice(ctx); err != nil || n != (survey.PrivacyNotice{}) || n.Complete() {
		t.Fatalf("a new library's notice %+v, %v", n, err)
	}
	bad := survey.PrivacyNotice{Controller: strings.Repeat("x", 121), Address: strings.Repeat("line\n", 9), DPO: "dpo\x00", Basis: "consent", RetentionYears: 51}
	err := lib.SetPrivacyNotice(ctx, bad, "admin@example.org")
	fe, ok := err.(field.Errors)
	if !ok {
		t.Fatalf("a broken notice: %v", err)
	}
	for _, f := range []string{survey.NoticeControllerField, survey.NoticeAddressField, survey.NoticeDPOField, survey.NoticeBasisField, survey.NoticeRetentionField} {
		if fe.For(f) == "" {
			t.Errorf("no problem with %s", f)
		}
	}
	good := survey.PrivacyNotice{Controller: "  Practitioner   Support ", Address: "1 Example Street\r\n\r\n Cardiff ", DPO: "dpo@example.org",
		Basis: survey.LegitimateInterests, RetentionYears: 6}
	if err := lib.SetPrivacyNotice(ctx, good, "admin@example.org"); err != nil {
		t.Fatal(err)
	}
	n, err := lib.PrivacyNotice(ctx)
	if err != nil || n.Controller != "Practitioner Support" || n.Address != "1 Example Street\nCardiff" || !n.Complete() || len(n.Unset()) != 0 ||
		n.By != "admin@example.org" || n.Month != survey.Month(clocktest.Wall()) {
		t.Fatalf("kept %+v, %v", n, err)
	}
	if y, err := survey.ParseRetentionYears(" 7 "); y != 7 || err != nil {
		t.Fatalf("retention 7: %d, %v", y, err)
	}
	if _, err := survey.ParseRetentionYears("0"); err == nil {
		t.Fatal("0 years was accepted")
	}
}
