package intake

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/field"
)

func TestClose_WithAReasonForNoTextQueuesNothingWhateverTheCallerAgreed(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, nil)
	ctx := context.Background()
	for _, reason := range NoTextReasons {
		n := counsellingCaller()
		n.NewPerson = true
		o := mustOpen(t, s, n)
		c, err := s.Close(ctx, o.Contact.ID, Closing{Outcome: "listened", NoText: reason})
		if err != nil || c.SurveyText != TextWithheld || c.NoText != reason {
			t.Fatalf("close with %q: %+v, %v; want withheld", reason, c, err)
		}
		stored, _ := s.Contact(ctx, o.Contact.ID)
		if stored.NoText != reason || stored.SurveyText != TextWithheld {
			t.Fatalf("stored %q/%q, want %q/withheld", stored.NoText, stored.SurveyText, reason)
		}
		if _, queued := outboxEntry(t, s, o.Contact.ID); queued {
			t.Fatalf("%q: a text was queued", reason)
		}
	}
	if res := process(t, ob); res != (Processed{}) || len(sender.sent) != 0 {
		t.Fatalf("outbox run %+v, sent %v; want nothing", res, sender.sent)
	}
}

func TestClose_RefusesAnUnknownReasonForNoTextAndKeepsTheContactOpen(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	o := mustOpen(t, s, counsellingCaller())
	ctx := context.Background()
	_, err := s.Close(ctx, o.Contact.ID, Closing{Outcome: "listened", NoText: "bored"})
	var problems field.Errors
	if !errors.As(err, &problems) || problems.For(NoTextField) == "" {
		t.Fatalf("err %v, want a problem with %s", err, NoTextField)
	}
	if c, _ := s.Contact(ctx, o.Contact.ID); c.ClosedAt != nil {
		t.Fatal("contact closed despite the refused reason")
	}
}

func TestClose_SafetyStillWinsOverAReasonForNoText(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 10, true)
	o := mustOpen(t, s, counsellingCaller())
	c, err := s.Close(context.Background(), o.Contact.ID, Closing{Outcome: "called 999", NoText: NoTextDistressing})
	if err != nil || c.SurveyText != TextEmergency {
		t.Fatalf("%q, %v; want emergency", c.SurveyText, err)
	}
}

func TestOutbox_SendsTheNeutralTextForASharedPhoneInEnglishAndWelsh(t *testing.T) {
	s, _ := newTestStore(t)
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, nil)
	for i, lang := range []Language{English, Welsh} {
		n := counsellingCaller()
		n.Name, n.NeutralText, n.Language = n.Name+strings.Repeat("x", i), true, string(lang)
		n.NewPerson = true
		o, c := openAndClose(t, s, n)
		if !o.Contact.NeutralText || c.SurveyText != TextQueued {
			t.Fatalf("%s: neutral %v, survey text %q", lang, o.Contact.NeutralText, c.SurveyText)
		}
	}
	if res := process(t, ob); res.Sent != 2 {
		t.Fatalf("%+v, want two sent", res)
	}
	link := SurveyLink(testBaseURL, Counselling)
	got := map[string]bool{sender.sent[0].text: true, sender.sent[1].text: true}
	for _, w := range []string{"Thank you for your call. Tell us how it went: " + link,
		"Diolch am eich galwad. Dywedwch sut aeth hi: " + link + "?lang=cy"} {
		if !got[w] {
			t.Errorf("sent %v, want %q among them", sender.sent, w)
		}
	}
}

func TestNeutralSurveyText_IsOneSegmentAndNamesNothingButTheLink(t *testing.T) {
	link := testBaseURL + "/i/ABCDEFGHIJKLMNOPQRST"
	for _, lang := range []Language{English, Welsh} {
		text := NeutralSurveyTextIn(link, lang)
		words := strings.ToLower(strings.Split(text, link)[0])
		for _, w := range []string{"counsel", "support", "doctor", "health", "crisis", "cwnsl", "cefnogaeth"} {
			if strings.Contains(words, w) {
				t.Errorf("%s neutral text %q says %q", lang, text, w)
			}
		}
		// No longer than the invitation text every accepted base URL fits in one segment with.
		n, ok := GSM7Length(text)
		m, _ := GSM7Length(InvitedSurveyTextIn(link, lang))
		if !ok || n > m {
			t.Errorf("%s neutral text is %d septets (GSM-7 %v), the invitation text %d", lang, n, ok, m)
		}
	}
}

func TestSettings_TheTextIntervalIsAnAdminSettingThirtyDaysByDefault(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	st, err := s.Settings(ctx)
	if err != nil || st.TextIntervalDays != 30 {
		t.Fatalf("default settings %+v, %v; want 30 days", st, err)
	}
	for _, bad := range []int{0, -1, 366} {
		var problems field.Errors
		if _, err := s.SetSettings(ctx, Settings{TextIntervalDays: bad}, "admin@example.org"); !errors.As(err, &problems) || problems.For(TextIntervalField) == "" {
			t.Fatalf("%d days: %v, want a problem with %s", bad, err, TextIntervalField)
		}
	}
	if _, err := s.SetSettings(ctx, Settings{TextIntervalDays: 7}, "admin@example.org"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Settings(ctx); st.TextIntervalDays != 7 || st.By != "admin@example.org" {
		t.Fatalf("saved %+v", st)
	}

	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	ob := newTestOutbox(t, s, &recordingSender{}, nil)
	first, _ := openAndClose(t, s, counsellingCaller())
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("%+v, want one sent", res)
	}
	n := counsellingCaller()
	n.PersonID = first.Person.ID
	clk.Advance(6 * 24 * time.Hour)
	if _, c := openAndClose(t, s, n); c.SurveyText != TextRecentlySent {
		t.Fatalf("6 days on with a 7-day setting: %q, want %q", c.SurveyText, TextRecentlySent)
	}
	clk.Advance(24 * time.Hour)
	if _, c := openAndClose(t, s, n); c.SurveyText != TextQueued {
		t.Fatalf("7 days on: %q, want queued", c.SurveyText)
	}
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("%+v, want the second text sent after 7 days", res)
	}
}

func TestOutbox_ClaimsBySettingAtSendTime(t *testing.T) {
	// Two contacts queued the same day: the second is suppressed by the slot
	// the first took, under whatever interval is set when they go.
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr A", Counsellor, 100, true)
	ob := newTestOutbox(t, s, &recordingSender{}, nil)
	first, _ := openAndClose(t, s, counsellingCaller())
	n := counsellingCaller()
	n.PersonID = first.Person.ID
	openAndClose(t, s, n)
	if _, err := s.SetSettings(ctx, Settings{TextIntervalDays: 1}, "admin@example.org"); err != nil {
		t.Fatal(err)
	}
	if res := process(t, ob); res.Sent != 1 || res.Suppressed != 1 {
		t.Fatalf("%+v, want one sent, one suppressed", res)
	}
}
