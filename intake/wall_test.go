package intake

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The privacy wall: intake holds identities, survey and dashboards hold
// anonymous answers and aggregates. Neither side may import the other; the
// only things crossing are the InvitationCounter, declared here and implemented
// there, and invitation links (InvitationLinks, from package invitation), both
// wired by cmd/feedback. In api/, only intakepages serves intake's side; every
// other page package builds on staff and web, which import no domain, so a
// page of the dashboards cannot reach a caller's record.
func TestPrivacyWall_NoImportCrossesBetweenIntakeAndSurvey(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const module = "github.com/feedback-service/feedback/"
	intakeOnly := []string{module + "intake"}
	// apitest starts the whole app, so it wires both sides, as cmd/feedback
	// does: page packages' tests may use it, and the check does not follow it.
	apitest := module + "api/apitest"
	checks := []struct {
		from      string
		forbidden []string
		bridge    string // a package whose imports are not followed
	}{
		{"./intake/...", []string{module + "survey", module + "ballotbox", module + "dashboards", module + "invitation"}, ""},
		{"./survey/...", intakeOnly, ""},
		{"./ballotbox/...", intakeOnly, ""},
		{"./dashboards/...", intakeOnly, ""},
		// Invitations serve both sides, so they depend on neither.
		{"./invitation/...", []string{module + "intake", module + "survey", module + "dashboards"}, ""},
		// Every page package outside intake's (see TestPrivacyWall_EveryPagePackageChecked).
		{"./api/web/...", intakeOnly, apitest},
		{"./api/staff/...", intakeOnly, apitest},
		{"./api/dashpages/...", intakeOnly, apitest},
		{"./api/moderationpages/...", intakeOnly, apitest},
		{"./api/surveyadmin/...", intakeOnly, apitest},
		{"./api/surveypages/...", intakeOnly, apitest},
		{"./api/yousaidpages/...", intakeOnly, apitest},
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		deps, ok := listDeps(t, root, c.from, c.bridge)
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

// A page package added to api/ is checked by the wall test, or named here as
// intake's own or as a bridge that wires both sides.
func TestPrivacyWall_EveryPagePackageChecked(t *testing.T) {
	checked := map[string]bool{"web": true, "staff": true, "dashpages": true, "moderationpages": true, "surveyadmin": true, "surveypages": true, "yousaidpages": true}
	exempt := map[string]bool{"intakepages": true, "apitest": true}
	dirs, err := os.ReadDir(filepath.Join("..", "api"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() && !checked[d.Name()] && !exempt[d.Name()] {
			t.Errorf("api/%s is not checked by TestPrivacyWall_NoImportCrossesBetweenIntakeAndSurvey", d.Name())
		}
	}
}

// listDeps returns the import paths pattern and its tests depend on, not
// following the imports of bridge (when set), and false when the pattern
// matches no package.
func listDeps(t *testing.T, root, pattern, bridge string) ([]string, bool) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}\t{{.DepOnly}}\t{{join .Imports \"\\t\"}}", pattern)
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
	// -test lists test variants as "pkg [pkg.test]", and imports likewise.
	imports := map[string][]string{}
	var next []string
	for line := range strings.Lines(stdout.String()) {
		f := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if len(f) < 2 {
			continue
		}
		imports[f[0]] = f[2:]
		if f[1] == "false" { // matched by the pattern, or its test
			next = append(next, f[0])
		}
	}
	seen := map[string]bool{}
	var deps []string
	for len(next) > 0 {
		pkg := next[len(next)-1]
		next = next[:len(next)-1]
		if seen[pkg] || pkg == "" {
			continue
		}
		seen[pkg] = true
		path, _, _ := strings.Cut(pkg, " ")
		deps = append(deps, path)
		if path != bridge {
			next = append(next, imports[pkg]...)
		}
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
	if _, err := logOn(s, ctx, o.Contact.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RaiseConcern(ctx, o.Contact.ID, SafetyForm{Concern: "Operating while unwell", Day: "23", Month: "11", Year: "2026"}); err != nil {
		t.Fatal(err)
	}
	if res := process(t, ob); res.Sent != 1 {
		t.Fatalf("outbox %+v", res)
	}
	if len(counts.got) != 1 || counts.got[0] != "peer-support "+isoDay(0) {
		t.Errorf("crossed the wall: %q, want only the service and the day", counts.got)
	}
	text := sender.sent[0].text
	for _, v := range []string{"white", "irish", "woman", "surgery", "Operating", "Sam", "Patel", o.Person.ID, o.Contact.ID, "2001"} {
		if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
			t.Errorf("text %q carries %q", text, v)
		}
	}
}
