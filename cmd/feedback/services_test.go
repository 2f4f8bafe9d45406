package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// servicesOn opens the survey library with video-counselling published, based
// on counselling, and the intake side and invitation codes serve wires to it.
func servicesOn(t *testing.T, baseURL string) *services {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	lib, cat, err := loadSurveys(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := cat.Get("counselling")
	file, _ := cur.File()
	var d map[string]any
	if err := json.Unmarshal(file, &d); err != nil {
		t.Fatal(err)
	}
	d["service"], d["based_on"] = "video-counselling", "counselling"
	file, _ = json.Marshal(d)
	if _, err := lib.Publish(ctx, file, "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Refresh(ctx, cat); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig("t", []string{"--base-url", baseURL, "--sms-log-allowed", "true", "--support-phone", "0330 123 4567"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	in, err := openIntake(ctx, cfg, st, logger)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := invitation.New(bytes.Repeat([]byte{7}, 32), invitation.Config{BaseURL: baseURL, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &services{lib: lib, cat: cat, in: in, codes: &invitations{codes: codes}, logger: logger}
}

func TestServices_IntakeAndTheCodesLearnTheLibrarysServices(t *testing.T) {
	s := servicesOn(t, "https://feedback.example.org")
	if err := s.apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := s.in.Store.Services.All()
	if len(got) != 3 || got[2] != (intake.Service{Type: "video-counselling", Title: "Video counselling", Kind: intake.Counselling}) {
		t.Fatalf("intake's services %v", got)
	}
	code, err := s.codes.codes.Mint("video-counselling")
	if err != nil {
		t.Fatal(err)
	}
	if inv, err := s.codes.codes.Verify(code); err != nil || inv.Service != "video-counselling" {
		t.Fatalf("code %+v %v", inv, err)
	}
	if err := s.in.outbox.UseInvitations(s.codes.codes); err != nil {
		t.Fatal(err)
	}
}

func TestServices_AServiceNameTooLongForTheTextIsLeftOutOfIntakeNotFatal(t *testing.T) {
	// The longest base URL the built-ins' texts fit: "video-counselling" is
	// five characters longer than "peer-support", so its text does not.
	longest := ""
	for n := 1; intake.CheckSurveyText("https://"+strings.Repeat("a", n)+".uk") == nil; n++ {
		longest = "https://" + strings.Repeat("a", n) + ".uk"
	}
	s := servicesOn(t, longest)
	var logs strings.Builder
	s.logger = slog.New(slog.NewTextHandler(&logs, nil))
	if err := s.apply(context.Background()); err != nil {
		t.Fatalf("apply: %v; intake must start without the service instead", err)
	}
	got := s.in.Store.Services.All()
	if len(got) != 2 || got[0].Type != intake.Counselling || got[1].Type != intake.PeerSupport {
		t.Fatalf("intake's services %v, want the built-ins only", got)
	}
	if !strings.Contains(logs.String(), "video-counselling") || !strings.Contains(logs.String(), "segment") {
		t.Fatalf("nothing logged names the service and the segment:\n%s", logs.String())
	}
}

// A service published with `feedback surveys publish` is served after a
// restart, with intake and the codes wired to it.
func TestServe_AServicePublishedFromAFileIsServed(t *testing.T) {
	embedded, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := embedded.Get("counselling")
	data, _ := cur.File()
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	d["service"], d["based_on"] = "video-counselling", "counselling"
	data, _ = json.Marshal(d)
	file := filepath.Join(t.TempDir(), "video-counselling.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"surveys", "--data-dir", dir, "publish", file}, nil, &out, &errs); err != nil {
		t.Fatalf("publish: %v\n%s", err, errs.String())
	}
	addr := freeAddr(t)
	start(t, "--addr", addr, "--data-dir", dir)
	resp, err := http.Get("http://" + addr + "/s/video-counselling")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /s/video-counselling: %v %v", err, resp)
	}
	resp.Body.Close()
}
