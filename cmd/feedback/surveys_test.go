package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/store/storetest"
)

func TestSurveysCommand_ExportEditCheckPublish(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runSurveys(ctx, st, args, &out, &errOut)
		return out.String(), err
	}
	out, err := run("list")
	if err != nil || !strings.Contains(out, "counselling") || !strings.Contains(out, "seed") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	exported, err := run("export", "counselling")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "counselling.json")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(exported)
	if out, err := run("publish", file); err != nil || !strings.Contains(out, "Nothing changed") {
		t.Fatalf("publish unchanged: %v %q", err, out)
	}
	write(strings.Replace(exported, "Did you feel listened to by your counsellor?", "Did your counsellor listen to you?", 1))
	var checked bytes.Buffer
	if err := checkSurveyFile([]string{file}, &checked); err != nil || !strings.Contains(checked.String(), "is valid") {
		t.Fatalf("check: %v %q", err, checked.String())
	}
	if out, err := run("publish", file); err != nil || !strings.Contains(out, "Published counselling number 2") ||
		!strings.Contains(out, "Compared with number 1: 1 question changed.") ||
		!strings.Contains(out, "Warning: Question 4 (Felt listened to): the English wording changed but the Welsh did not.") {
		t.Fatalf("publish: %v %q", err, out)
	}
	write(strings.Replace(exported, `"id": "ease"`, `"id": "listened"`, 1))
	err = checkSurveyFile([]string{file}, &checked)
	if err == nil || !strings.Contains(err.Error(), `questions[3].id: question id "listened" appears twice`) {
		t.Fatalf("check of a duplicate id: %v", err)
	}
	if _, err := run("publish", file); err == nil {
		t.Fatal("a duplicate id was published")
	}
	if out, _ := run("list"); !regexp.MustCompile(`(?m)^counselling\s+2\s`).MatchString(out) {
		t.Fatalf("list after publishing:\n%s", out)
	}
}
