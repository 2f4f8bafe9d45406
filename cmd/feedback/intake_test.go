package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

func TestServe_RefusesABaseURLTooLongForOneTextSegment(t *testing.T) {
	long := "https://feedback." + strings.Repeat("a", 60) + ".example.org"
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", freeAddr(t), "--data-dir", t.TempDir(), "--base-url", long, "--sms-log-allowed", "true", "--support-phone", "0330 123 4567"}, nil, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "FEEDBACK_BASE_URL") || !strings.Contains(err.Error(), "segment") {
		t.Fatalf("serve with a long base URL: %v", err)
	}
	if strings.Contains(out.String(), "running") {
		t.Fatal("the service started")
	}
	// The longest base URL that fits is accepted.
	for n := 60; n > 0; n-- {
		base := "https://feedback." + strings.Repeat("a", n) + ".example.org"
		if intake.CheckSurveyText(base) == nil {
			if _, err := parseConfig("t", []string{"--base-url", base, "--sms-log-allowed", "true", "--support-phone", "0330 123 4567"}, func(string) string { return "" }, io.Discard); err != nil {
				t.Fatalf("a base URL that fits was refused: %v", err)
			}
			break
		}
	}
}

func TestConfig_IntakeSettingsHaveDefaultsAndEnvironmentFallbacks(t *testing.T) {
	cfg, err := parseConfig("t", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Intake.SMSSender != "log" || cfg.Intake.Retention != 20*365*24*time.Hour || cfg.Intake.MongoURI != "" {
		t.Fatalf("defaults %+v", cfg.Intake)
	}
	env := map[string]string{"FEEDBACK_SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tok",
		"TWILIO_MESSAGING_SERVICE_SID": "MG456", "INTAKE_RETENTION": "3650d", "INTAKE_MONGODB_URI": "mongodb://intake.internal:27017"}
	cfg, err = parseConfig("t", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Intake.SMSSender != "twilio" || cfg.Intake.Retention != 3650*24*time.Hour || cfg.Intake.TwilioMessagingServiceSID != "MG456" ||
		cfg.Intake.MongoURI != "mongodb://intake.internal:27017" {
		t.Fatalf("from the environment %+v", cfg.Intake)
	}
}

func TestConfig_BadIntakeSettingsAreNamedWithoutTheirSecrets(t *testing.T) {
	const secret = "s3cret-value-never-shown"
	notifyKey := "test-key-" + "26785a09-ab16-4eb0-8407-a37497a57506" + "-" + "3d844edf-8d35-48ac-975b-e847b4f122b0"
	cases := map[string]map[string]string{
		"FEEDBACK_SMS_SENDER":          {"FEEDBACK_SMS_SENDER": "pigeon"},
		"NOTIFY_API_KEY":               {"FEEDBACK_SMS_SENDER": "notify", "NOTIFY_API_KEY": secret, "NOTIFY_TEMPLATE_ID": "t"},
		"NOTIFY_TEMPLATE_ID":           {"FEEDBACK_SMS_SENDER": "notify", "NOTIFY_API_KEY": notifyKey},
		"TWILIO_ACCOUNT_SID":           {"FEEDBACK_SMS_SENDER": "twilio", "TWILIO_AUTH_TOKEN": secret},
		"TWILIO_AUTH_TOKEN":            {"FEEDBACK_SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_FROM": "+447700900000"},
		"TWILIO_FROM":                  {"FEEDBACK_SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": secret},
		"TWILIO_MESSAGING_SERVICE_SID": {"FEEDBACK_SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": secret, "TWILIO_MESSAGING_SERVICE_SID": "XX1"},
		"INTAKE_RETENTION":             {"INTAKE_RETENTION": "forever"},
		"INTAKE_MONGODB_URI":           {"INTAKE_MONGODB_URI": "postgres://user:" + secret + "@db"},
	}
	for setting, env := range cases {
		var errs bytes.Buffer
		_, err := parseConfig("t", nil, func(k string) string { return env[k] }, &errs)
		if err == nil || !strings.Contains(err.Error(), setting) {
			t.Errorf("%s: err %v, want one naming it", setting, err)
			continue
		}
		if strings.Contains(err.Error()+errs.String(), secret) {
			t.Errorf("%s: the message shows the secret: %v", setting, err)
		}
	}
	env := map[string]string{"FEEDBACK_SMS_SENDER": "notify", "NOTIFY_API_KEY": notifyKey, "NOTIFY_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a"}
	if _, err := parseConfig("t", nil, func(k string) string { return env[k] }, io.Discard); err != nil {
		t.Errorf("a good Notify configuration was refused: %v", err)
	}
	// Help shows no secret taken from the environment.
	var out bytes.Buffer
	_, _ = parseConfig("t", []string{"--help"}, func(k string) string { return map[string]string{"TWILIO_AUTH_TOKEN": secret}[k] }, &out)
	if strings.Contains(out.String(), secret) {
		t.Error("help shows a secret from the environment")
	}
}

func TestInvitationCounter_KeepsOneCountPerServiceAndMonthInTheSurveyDatabase(t *testing.T) {
	st := storetest.New(t)
	c := survey.NewInvitationCounts(st.Database(store.SurveyDatabase))
	ctx := context.Background()
	for _, day := range []string{"2026-11-23", "2026-11-30", "2026-12-01"} {
		if err := c.CountInvitation(ctx, "counselling", day); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.CountInvitation(ctx, "peer-support", "2026-11-23"); err != nil {
		t.Fatal(err)
	}
	cur, err := st.Database(store.SurveyDatabase).Collection("invitations").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range docs {
		got[d.ID] = d.N
	}
	want := map[string]int{"counselling|2026-11": 2, "counselling|2026-12": 1, "peer-support|2026-11": 1}
	if len(got) != len(want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("counts %v, want %v", got, want)
		}
	}
}

func TestServe_IntakePagesAreWiredAndTheWorkersStopOnShutdown(t *testing.T) {
	addr := freeAddr(t)
	r := start(t, "--addr", addr, "--data-dir", t.TempDir())
	if !strings.Contains(r.out.String(), "Intake records: database "+intake.Database) || !strings.Contains(r.out.String(), "log sender") {
		t.Errorf("start-up output:\n%s", r.out.String())
	}
	// Issue 33.6: and that the privacy notice's facts are not set yet, and where to set them.
	if !strings.Contains(r.out.String(), "privacy notice does not yet name the controller, its address, the data protection officer, the lawful basis, how long results are kept.") ||
		!strings.Contains(r.out.String(), "http://"+addr+"/admin/privacy-notice") {
		t.Errorf("start-up output says nothing of the privacy notice:\n%s", r.out.String())
	}
	// Issue 32.2: a fresh install says what intake needs before its first call, and where.
	if !strings.Contains(r.out.String(), "Intake is not ready to route callers: no counsellor and no peer-support doctor is active.") ||
		!strings.Contains(r.out.String(), "http://"+addr+"/admin/practitioners") || !strings.Contains(r.out.String(), "http://"+addr+"/intake\n") {
		t.Errorf("start-up output lacks the intake set-up:\n%s", r.out.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get("http://" + addr + "/intake/contacts/new")
	if err != nil || resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("intake page signed out: %v %v", err, resp)
	}
	resp.Body.Close()
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
}
