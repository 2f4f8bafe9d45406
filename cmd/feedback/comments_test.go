package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/surveyadmin"
	"github.com/feedback-service/feedback/store/storetest"
)

func TestCommentsCheck_PrintsOneJSONObjectPerComment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "comments.txt")
	in := "I spoke to Dr Chen at Derriford.\nThe counsellor was kind.\nI can't see a reason to keep going.\n"
	if err := os.WriteFile(file, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"comments", "check", file}, nil, &out, &errs); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, in order; got %q", out.String())
	}
	var got []checkedComment
	for _, l := range lines {
		var c checkedComment
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, c)
	}
	if got[0].Text != "I spoke to [name] at [workplace]." || got[0].Generalised["name"] != 1 || got[0].Generalised["workplace"] != 1 || got[0].Safeguarding {
		t.Errorf("first: %+v", got[0])
	}
	if got[1].Text != "The counsellor was kind." || len(got[1].Generalised) != 0 || got[1].Safeguarding {
		t.Errorf("second: %+v", got[1])
	}
	if !got[2].Safeguarding {
		t.Errorf("third: %+v, want safeguarding", got[2])
	}
}

func TestCommentsCheck_ReadsStdinInWelsh(t *testing.T) {
	var out, errs bytes.Buffer
	stdin := strings.NewReader("Rwy'n gweithio yng Nghaerdydd.\n")
	if err := run(context.Background(), []string{"comments", "check", "--lang", "cy", "-"}, stdin, &out, &errs); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	if !strings.Contains(out.String(), `"text":"Rwy'n gweithio yng [lle]."`) {
		t.Errorf("got %s", out.String())
	}
}

func TestCommentsCheck_RejectsBadUse(t *testing.T) {
	for _, args := range [][]string{
		{"comments"},
		{"comments", "check"},
		{"comments", "check", "--lang", "fr", "-"},
		{"comments", "check", "/no/such/file"},
	} {
		var out, errs bytes.Buffer
		if err := run(context.Background(), args, strings.NewReader(""), &out, &errs); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

// feedback comments names lists the practitioners' names, and --set replaces
// them as the admin page does: checked, audited as cli; bad names save nothing.
func TestCommentNames_ListsAndSetsAudited(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	names := func(stdin string, args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := runCommentNames(ctx, st, args, strings.NewReader(stdin), &out, &errs)
		return out.String(), err
	}
	if out, err := names(""); err != nil || out != "" {
		t.Fatalf("no names yet: %q %v", out, err)
	}
	if out, err := names("Priya Shah\r\nGrace  Okafor\n\npriya shah\n", "--set", "-"); err != nil || out != "Grace Okafor\nPriya Shah\n" {
		t.Fatalf("set: %q %v", out, err)
	}
	if _, err := names("Dr <script>\n", "--set", "-"); err == nil || !strings.Contains(err.Error(), "nothing saved") {
		t.Fatalf("a bad name: %v", err)
	}
	if out, err := names(""); err != nil || out != "Grace Okafor\nPriya Shah\n" {
		t.Fatalf("after a refused set: %q %v", out, err)
	}
	page, err := accountsOf(t, st).ReadAudit(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || page.Entries[0].Action != surveyadmin.ActionCommentNamesSaved ||
		page.Entries[0].Actor != accounts.ActorCLI || page.Entries[0].Target != "2" {
		t.Fatalf("audit: %+v", page.Entries)
	}
	if _, err := names("", "extra"); err == nil {
		t.Fatal("an unexpected argument was accepted")
	}
}
