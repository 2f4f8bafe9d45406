package intake

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The privacy wall: intake holds identities, survey and dashboards hold
// anonymous answers and aggregates. Neither side may import the other; the
// only things crossing are the InvitationCounter, declared here and implemented
// there, and invitation links (InvitationLinks, from package invitation), both
// wired by cmd/feedback.
func TestPrivacyWall_NoImportCrossesBetweenIntakeAndSurvey(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const module = "github.com/feedback-service/feedback/"
	checks := []struct {
		from      string
		forbidden []string
	}{
		{"./intake/...", []string{module + "survey", module + "ballotbox", module + "dashboards", module + "invitation"}},
		{"./survey/...", []string{module + "intake"}},
		{"./ballotbox/...", []string{module + "intake"}},
		{"./dashboards/...", []string{module + "intake"}},
		// Invitations serve both sides, so they depend on neither.
		{"./invitation/...", []string{module + "intake", module + "survey", module + "dashboards"}},
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		deps, ok := listDeps(t, root, c.from)
		if !ok {
			// A renamed or moved package would otherwise leave the wall unchecked.
			t.Errorf("%s matches no package: the wall check would check nothing", c.from)
			continue
		}
		for _, dep := range deps {
			for _, f := range c.forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("privacy wall crossed: %s depends on %s", c.from, dep)
				}
			}
		}
	}
}

// listDeps returns the import paths pattern depends on, and false when the
// pattern matches no package.
func listDeps(t *testing.T, root, pattern string) ([]string, bool) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}", pattern)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	msg := stderr.String()
	if strings.Contains(msg, "matched no packages") || strings.Contains(msg, "no such file or directory") ||
		strings.Contains(msg, "directory not found") {
		return nil, false
	}
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pattern, err, msg)
	}
	var deps []string
	for line := range strings.Lines(stdout.String()) {
		// -test lists test variants as "pkg [pkg.test]": keep the path.
		path, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		deps = append(deps, path)
	}
	return deps, len(deps) > 0
}

// What crosses the wall for a caller with every new field (the privacy
// notice's answers, a member link, Welsh, peer support with a conversation
// and a patient-safety concern) is still only a service and a day, and the
// text carries only the survey link.
func TestPrivacyWall_NewFieldsNeverCross(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	addPractitioner(t, s, "Dr Peer", PeerSupporter, 10, true)
	counts := &invitations{}
	sender := &recordingSender{}
	ob := newTestOutbox(t, s, sender, counts)
	n := peerCaller()
	n.Ethnicity, n.Gender, n.Specialty, n.Language = "white-irish", "woman", "surgery", "cy"
	o, _ := openAndClose(t, s, n)
	if _, err := s.LogConversation(ctx, o.Contact.ID, "23", "11", "2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RaiseConcern(ctx, o.Contact.ID, SafetyForm{Concern: "Operating while unwell", Day: "23", Month: "11", Year: "2026"}); err != nil {
		t.Fatal(err)
	}
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("outbox %+v", res)
	}
	if len(counts.got) != 1 || counts.got[0] != "peer-support 2026-11-23" {
		t.Errorf("crossed the wall: %q, want only the service and the day", counts.got)
	}
	text := sender.sent[0].text
	for _, v := range []string{"white", "irish", "woman", "surgery", "Operating", "Sam", "Patel", o.Person.ID, o.Contact.ID, "2001"} {
		if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
			t.Errorf("text %q carries %q", text, v)
		}
	}
}
