package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store/storetest"
)

var testInvitationSecret = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

func invitationEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestInvitations_PrintsSingleUseLinksOnePerLineAndRecordsNothing(t *testing.T) {
	st := storetest.New(t)
	env := invitationEnv(map[string]string{envInvitationSecret: testInvitationSecret, envBaseURL: "https://feedback.example.org"})
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"invitations", "--help"}, nil, &out, &errOut); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(errOut.String(), "single-use survey links") {
		t.Fatalf("feedback invitations --help: %v\n%s", err, errOut.String())
	}
	if err := runInvitations([]string{"--service", "peer-support", "--count", "3"}, env, &out, &errOut); err != nil {
		t.Fatalf("invitations: %v\n%s", err, errOut.String())
	}
	links := strings.Fields(out.String())
	codes, err := newInvitationCodes(testInvitationSecret, "", "https://feedback.example.org")
	if err != nil {
		t.Fatal(err)
	}
	spent := invitation.NewStore(st.Database(invitation.Database), codes)
	seen := map[string]bool{}
	for _, link := range links {
		code, ok := strings.CutPrefix(link, "https://feedback.example.org/i/")
		if !ok || seen[code] {
			t.Fatalf("link %q: want a fresh https://feedback.example.org/i/CODE", link)
		}
		seen[code] = true
		if inv, err := spent.SpendFor(context.Background(), "peer-support", code); err != nil || inv.Service != "peer-support" {
			t.Fatalf("spending a printed link: %+v, %v", inv, err)
		}
	}
	if len(links) != 3 || strings.Count(out.String(), "\n") != 3 {
		t.Fatalf("output %q: want 3 links, one per line", out.String())
	}
}

func TestInvitations_RefusesBadArgumentsAndSettings(t *testing.T) {
	good := map[string]string{envInvitationSecret: testInvitationSecret, envBaseURL: "https://feedback.example.org"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no service", good, []string{"--count", "1"}, "--service is required"},
		{"unknown service", good, []string{"--service", "dentistry", "--count", "1"}, `unknown service "dentistry"`},
		{"no count", good, []string{"--service", "counselling"}, "--count 0"},
		{"no base URL", map[string]string{envInvitationSecret: testInvitationSecret}, []string{"--service", "counselling", "--count", "1"}, "FEEDBACK_BASE_URL"},
		{"no secret", map[string]string{envBaseURL: "https://x.org"}, []string{"--service", "counselling", "--count", "1", "--data-dir", t.TempDir()}, "no sealing secret"},
		{"short secret", map[string]string{envBaseURL: "https://x.org", envInvitationSecret: "c2hvcnQ="}, []string{"--service", "counselling", "--count", "1"}, "need at least 32"},
		{"bad TTL", map[string]string{envBaseURL: "https://x.org", envInvitationSecret: testInvitationSecret, envInvitationTTL: "36h"}, []string{"--service", "counselling", "--count", "1"}, "whole days"},
	} {
		var out, errOut bytes.Buffer
		err := runInvitations(tc.args, invitationEnv(tc.env), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) || out.Len() != 0 {
			t.Errorf("%s: %v (output %q), want an error saying %q", tc.name, err, out.String(), tc.want)
		}
		if strings.Contains(err.Error(), testInvitationSecret) {
			t.Errorf("%s: the error quotes the secret", tc.name)
		}
	}
}

// The whole text with an invitation link fits one GSM-7 segment for the
// longest base URL the service accepts today.
func TestInvitedSurveyText_FitsOneSegmentForTheLongestAllowedBaseURL(t *testing.T) {
	longest := ""
	for n := 1; ; n++ {
		base := "https://" + strings.Repeat("a", n) + ".uk"
		if intake.CheckSurveyText(base) != nil {
			break
		}
		longest = base
	}
	if len(longest) < 50 {
		t.Fatalf("longest accepted base URL %q is implausibly short", longest)
	}
	codes, err := newInvitationCodes(testInvitationSecret, "", longest)
	if err != nil {
		t.Fatal(err)
	}
	for _, service := range []string{"counselling", "peer-support"} {
		link, err := codes.Link(service)
		if err != nil {
			t.Fatal(err)
		}
		text := intake.InvitedSurveyText(link)
		if n, ok := intake.GSM7Length(text); !ok || n > intake.MaxSegmentSeptets {
			t.Errorf("%s: %q is %d septets (GSM-7 %v), want one segment", service, text, n, ok)
		}
		if _, err := codes.Verify(strings.TrimPrefix(link, longest+invitation.PathPrefix)); err != nil {
			t.Errorf("%s: the link's code does not verify: %v", service, err)
		}
	}
	st := storetest.New(t)
	side, err := intake.NewOutbox(intake.New(st.Database(intake.Database), time.Now), intake.LogSender{}, nil, longest)
	if err != nil {
		t.Fatal(err)
	}
	if err := side.UseInvitations(codes); err != nil {
		t.Fatalf("the outbox refuses invitation links on the longest base URL: %v", err)
	}
}

// A service published through the survey library gets links too: the command
// reads the library's service numbers from the store, writes nothing there,
// and names the known services when asked for an unknown one.
func TestInvitations_ForAServicePublishedSince(t *testing.T) {
	dir := t.TempDir()
	publishVideoCounselling(t, dir)
	env := map[string]string{envInvitationSecret: testInvitationSecret, envBaseURL: "https://feedback.example.org",
		"MONGODB_URI": os.Getenv(storetest.MongoURIVariable)}
	var out, errOut bytes.Buffer
	args := []string{"invitations", "--service", "video-counselling", "--count", "2", "--data-dir", dir}
	if err := runWithEnv(t, args, env, &out, &errOut); err != nil {
		t.Fatalf("invitations for video-counselling: %v\n%s", err, errOut.String())
	}
	codes, err := invitation.New(bytes.Repeat([]byte{7}, 32), invitation.Config{BaseURL: "https://feedback.example.org", Now: time.Now,
		Services: []string{"counselling", "peer-support", "video-counselling"}})
	if err != nil {
		t.Fatal(err)
	}
	links := strings.Fields(out.String())
	for _, link := range links {
		inv, err := codes.Verify(strings.TrimPrefix(link, "https://feedback.example.org/i/"))
		if err != nil || inv.Service != "video-counselling" {
			t.Fatalf("link %q: %+v %v, want an invitation to video-counselling", link, inv, err)
		}
	}
	if len(links) != 2 {
		t.Fatalf("output %q, want 2 links", out.String())
	}
	out.Reset()
	err = runWithEnv(t, []string{"invitations", "--service", "dentistry", "--count", "1", "--data-dir", dir}, env, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown service "dentistry": the services are counselling, peer-support, video-counselling`) || out.Len() != 0 {
		t.Fatalf("unknown service: %v (output %q)", err, out.String())
	}
}

// publishVideoCounselling publishes video-counselling, based on counselling,
// in the store in dir, numbered as serve numbers it, and closes the store.
func publishVideoCounselling(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, dir)
	defer st.Close(ctx)
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
	if _, err := lib.NumberServices(ctx); err != nil {
		t.Fatal(err)
	}
}

// runWithEnv runs the command line args, as main does, with env set.
func runWithEnv(t *testing.T, args []string, env map[string]string, stdout, stderr *bytes.Buffer) error {
	for k, v := range env {
		t.Setenv(k, v)
	}
	return run(context.Background(), args, nil, stdout, stderr)
}
